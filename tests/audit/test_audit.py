import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.utils import InternalError
from django.urls import reverse

from wealthcrm.audit import services, views
from wealthcrm.audit.models import AppendOnlyError, AuditEvent

pytestmark = pytest.mark.django_db


def test_audit_events_are_append_only_in_the_model_and_the_database(bank):
    event = services.record(action="view", actor=bank.head_office, object_type="x", object_id=1)
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="export")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    for sql in ("UPDATE audit_auditevent SET action = 'export'", "DELETE FROM audit_auditevent"):
        with pytest.raises(InternalError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEvent.objects.get(pk=event.pk).action == "view"


def test_failed_sign_in_on_the_login_page_is_audited(bank, client):
    client.post(reverse("login"), {"username": "bj01_adv", "password": "wrong"}, REMOTE_ADDR="10.1.2.3")
    event = AuditEvent.objects.get(action="login_failed")
    assert event.detail == {"username": "bj01_adv"} and event.ip == "10.1.2.3" and event.actor is None
    assert "wrong" not in str(event.detail)


def test_failed_sign_in_on_the_token_endpoint_is_audited(bank, api_as):
    api_as(None).post("/api/v1/auth/token/", {"username": "nobody", "password": "x"}, format="json")
    assert AuditEvent.objects.filter(action="login_failed", detail={"username": "nobody"}).exists()


def test_audit_api_is_for_head_office_and_admin_with_filters(bank, api_as):
    services.record(action="view", actor=bank.advisor, object_type="clients.client", object_id=1)
    services.record(action="export", actor=bank.north_manager, object_type="clients.client")
    api = api_as(bank.head_office)
    body = api.get("/api/v1/audit-events/").json()
    assert {e["action"] for e in body["results"]} == {"view", "export"}
    assert set(body["results"][0]) >= {"id", "at", "actor", "action", "object_type", "object_id", "client", "detail",
                                       "ip"}
    assert [e["action"] for e in api.get(f"/api/v1/audit-events/?actor={bank.advisor.pk}").json()["results"]] == ["view"]
    assert [e["action"] for e in api.get("/api/v1/audit-events/?action=export").json()["results"]] == ["export"]
    assert api.get("/api/v1/audit-events/?after=2100-01-01T00:00:00Z").json()["results"] == []
    assert len(api.get("/api/v1/audit-events/?before=2100-01-01T00:00:00Z").json()["results"]) == 2
    assert api.get("/api/v1/audit-events/?action=nonsense").status_code == 400
    assert api_as(bank.admin).get("/api/v1/audit-events/").status_code == 200
    for who in ("advisor", "north_manager", "hall"):
        assert api_as(getattr(bank, who)).get("/api/v1/audit-events/").status_code == 403


def test_audit_list_page_for_head_office_only(bank, rf):
    services.record(action="export", actor=bank.north_manager, object_type="clients.client")
    request = rf.get("/audit/", {"action": "export"})
    request.user = bank.head_office
    assert "<td>客户</td>" in views.event_list(request).content.decode()  # the object's kind, in words
    request.user = bank.north_manager
    with pytest.raises(PermissionDenied):
        views.event_list(request)


def test_audit_page_walks_time_and_keeps_its_time_filter_on_every_page(bank, web_as, monkeypatch):
    monkeypatch.setattr(views, "PAGE", 2)
    events = [services.record(action="view", actor=bank.head_office, object_type="x", object_id=n) for n in range(5)]
    web = web_as(bank.head_office)
    url, seen = "/audit/?before=2100-01-01T00:00:00Z", []
    while url:
        response = web.get(url)
        assert response.status_code == 200
        seen += [e.pk for e in response.context["events"]]
        nxt = response.context["links"].get("next")
        assert nxt is None or "before=2100-01-01" in nxt  # the filter is not taken for a cursor, nor dropped
        url = f"/audit/{nxt}" if nxt else None
    assert seen == [e.pk for e in sorted(events, key=lambda e: (e.at, e.pk), reverse=True)]
    back = web.get(f"/audit/{web.get('/audit/?before=2100-01-01T00:00:00Z').context['links']['next']}")
    prev = web.get(f"/audit/{back.context['links']['prev']}")
    assert [e.pk for e in prev.context["events"]] == seen[:2]
    assert web.get("/audit/?before=2000-01-01T00:00:00Z").context["events"] == []


def test_audit_page_queries_do_not_grow_with_rows(bank, web_as, django_assert_max_num_queries):
    web = web_as(bank.head_office)
    services.record(action="view", actor=bank.north_manager, object_type="x", object_id=0)
    with django_assert_max_num_queries(8) as few:
        web.get("/audit/?before=2100-01-01T00:00:00Z")
    for n in range(30):
        services.record(action="view", actor=bank.advisor if n % 2 else bank.north_manager, object_type="x",
                        object_id=n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        web.get("/audit/?before=2100-01-01T00:00:00Z")


def test_audit_page_names_clients_and_reads_details_in_words(bank, web_as):
    from tests.factories import ClientFactory

    client = ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, name="王芳", client_no="C0001")
    web_as(bank.north_manager).get(reverse("clients:detail", args=[client.pk]))
    services.record(action="update", actor=bank.north_manager, obj=client, client=client,
                    detail={"fields": ["advisor"], "from_advisor": bank.advisor.pk, "to_advisor": bank.advisor2.pk})
    services.record(action="export", actor=bank.north_manager, object_type="clients.client",
                    detail={"filters": {"tier": "branch"}})
    page = web_as(bank.head_office).get(reverse("audit:list")).content.decode()
    assert "王芳" in page and "C0001" in page
    assert "途径：页面" in page and "字段：管户顾问" in page and "筛选条件：客户层级=branch" in page
    assert f"原顾问：{bank.advisor}" in page and f"新顾问：{bank.advisor2}" in page
    assert "clients.client" not in page and "{&#x27;via&#x27;" not in page and "from_advisor" not in page


def test_audit_page_queries_do_not_grow(bank, web_as, django_assert_max_num_queries):
    from tests.factories import ClientFactory

    def record(n):
        for _ in range(n):
            client = ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor)
            services.record(action="update", actor=bank.north_manager, obj=client, client=client,
                            detail={"from_advisor": bank.advisor.pk, "to_advisor": bank.advisor2.pk})

    record(2)
    web = web_as(bank.head_office)
    web.get(reverse("audit:list"))
    with django_assert_max_num_queries(6):
        web.get(reverse("audit:list"))
    record(20)
    with django_assert_max_num_queries(6):
        web.get(reverse("audit:list"))
