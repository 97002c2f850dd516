import datetime as dt

import pytest
from django.urls import reverse

from clients.models import Client, Contact
from tests.clients.factories import (
    AumSnapshotFactory,
    ContactFactory,
    HouseholdFactory,
    SaleFactory,
)
from tests.factories import ClientFactory
from wealthcrm.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_list_page_shows_masked_phone_tier_badge_and_wan_yi(bank, clients, web_as):
    page = web_as(bank.north_manager).get(reverse("clients:list")).content.decode()
    assert "138****5678" in page and "13812345678" not in page and "110101198005171234" not in page
    assert "badge-branch" in page and "5,000.00万" in page
    assert "S0001" not in page


def test_list_page_filters_with_the_shared_filterset(bank, clients, web_as):
    page = web_as(bank.head_office).get(reverse("clients:list") + "?tier=branch").content.decode()
    assert "N0004" in page and "N0001" not in page


def test_list_page_keyset_pagination(bank, web_as):
    made = ClientFactory.create_batch(55, org_unit=bank.north_sub, advisor=bank.advisor)
    web = web_as(bank.advisor)
    first = web.get(reverse("clients:list"))
    assert len(first.context["clients"]) == 50 and "next" in first.context["links"]
    second = web.get(reverse("clients:list") + first.context["links"]["next"])
    assert [c.pk for c in second.context["clients"]] == sorted((c.pk for c in made), reverse=True)[50:]
    back = web.get(reverse("clients:list") + second.context["links"]["prev"])
    assert [c.pk for c in back.context["clients"]] == [c.pk for c in first.context["clients"]]


def test_list_page_queries_do_not_grow_with_rows(bank, web_as, django_assert_max_num_queries):
    web = web_as(bank.north_manager)
    ClientFactory.create_batch(3, org_unit=bank.north_sub, advisor=bank.advisor)
    web.get(reverse("clients:list"))
    # 8 for the page and its filter choices, 1 for the total (a COUNT bounded by a LIMIT)
    with django_assert_max_num_queries(9):
        web.get(reverse("clients:list"))
    ClientFactory.create_batch(27, org_unit=bank.north_outlet, advisor=bank.account_manager)
    with django_assert_max_num_queries(9):
        assert len(web.get(reverse("clients:list")).context["clients"]) == 30


@pytest.mark.parametrize("who, visible", [
    ("advisor", {"mine"}), ("advisor2", {"colleague"}), ("north_sub_manager", {"mine", "colleague", "outlet"}),
    ("south_manager", {"south"}), ("head_office", {"mine", "colleague", "outlet", "big", "south"}),
])
def test_detail_and_edit_pages_are_404_outside_scope(bank, clients, web_as, who, visible):
    web = web_as(getattr(bank, who))
    for name in ("mine", "colleague", "outlet", "big", "south"):
        client = getattr(clients, name)
        expected = 200 if name in visible else 404
        assert web.get(reverse("clients:detail", args=[client.pk])).status_code == expected
        assert web.get(reverse("clients:edit", args=[client.pk])).status_code == expected
        assert web.post(reverse("clients:contact-create", args=[client.pk]), {}).status_code in (
            (302,) if name in visible else (404,))
        assert web.post(reverse("clients:reveal", args=[client.pk]), {"field": "phone"}).status_code in (
            (200, 403) if name in visible else (404,))


@pytest.mark.parametrize("url_name, args", [("clients:list", []), ("clients:create", []), ("clients:detail", [1]),
                                            ("clients:imports", [])])
def test_hall_staff_get_403_on_client_pages(bank, clients, web_as, url_name, args):
    args = [clients.mine.pk] if args else []
    assert web_as(bank.hall).get(reverse(url_name, args=args)).status_code == 403


def test_detail_page_is_a_client_360_and_is_audited(bank, clients, web_as):
    household = HouseholdFactory(name="王家")
    Client.objects.filter(pk=clients.mine.pk).update(household=household, household_relation="self",
                                                     risk_assessed_on=dt.date.today() - dt.timedelta(days=350))
    ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, household=household, household_relation="spouse",
                  name="王太太")
    for month in (1, 2, 3):
        AumSnapshotFactory(client=clients.mine, as_of=dt.date(2025, month, 28))
    SaleFactory(client=clients.mine, product_category="insurance")
    SaleFactory(client=clients.mine, product_category="insurance", amount=1)
    ContactFactory(client=clients.mine, staff=bank.advisor, summary="讨论家族信托")
    page = web_as(bank.advisor).get(reverse("clients:detail", args=[clients.mine.pk])).content.decode()
    for text in ("王太太", "配偶", "data-chart", "2025-03", "保险", "讨论家族信托", "110101********1234",
                 "138****5678", "天后到期", "client-panels"):
        assert text in page, text
    assert "110101198005171234" not in page and "13812345678" not in page
    assert AuditEvent.objects.filter(action="view", client=clients.mine, detail={"via": "page"}).count() == 1


def test_reveal_button_only_for_the_own_advisor_and_reveal_is_audited(bank, clients, web_as):
    url = reverse("clients:detail", args=[clients.mine.pk])
    assert "hx-post=\"{}\"".format(reverse("clients:reveal", args=[clients.mine.pk])) in web_as(bank.advisor).get(url).content.decode()
    manager_page = web_as(bank.north_sub_manager).get(url).content.decode()
    assert reverse("clients:reveal", args=[clients.mine.pk]) not in manager_page
    response = web_as(bank.north_sub_manager).post(reverse("clients:reveal", args=[clients.mine.pk]), {"field": "phone"})
    assert response.status_code == 403
    response = web_as(bank.advisor).post(reverse("clients:reveal", args=[clients.mine.pk]), {"field": "phone"})
    assert "13812345678" in response.content.decode() and response["Cache-Control"] == "no-store"
    assert AuditEvent.objects.filter(action="reveal", actor=bank.advisor).count() == 1


def test_log_contact_with_htmx_swaps_in_the_entry_or_shows_errors_inline(bank, clients, web_as):
    web = web_as(bank.advisor)
    url = reverse("clients:contact-create", args=[clients.mine.pk])
    ok = web.post(url, {"channel": "visit", "purpose": "greeting", "occurred_at": "2026-01-05T10:00",
                        "summary": "上门拜访", "effective": "on"}, HTTP_HX_REQUEST="true")
    body = ok.content.decode()
    assert ok.status_code == 200 and 'hx-swap-oob="afterbegin:#contact-timeline"' in body and "上门拜访" in body
    contact = Contact.objects.get()
    assert contact.staff == bank.advisor and contact.channel == "visit" and contact.effective
    bad = web.post(url, {"channel": "fax", "purpose": "greeting", "occurred_at": "2099-01-01T10:00"},
                   HTTP_HX_REQUEST="true")
    assert bad.status_code == 200 and "errorlist" in bad.content.decode() and "hx-swap-oob" not in bad.content.decode()
    assert Contact.objects.count() == 1


def test_create_and_edit_client_pages(bank, web_as):
    web = web_as(bank.advisor)
    response = web.post(reverse("clients:create"), {"client_no": "W1", "name": "孙丽", "id_number": "110101199001011237",
                                                    "phone": "13600000000", "tags": "高净值, 企业主"})
    client = Client.objects.get(client_no="W1")
    assert response.status_code == 302 and client.advisor == bank.advisor and client.org_unit == bank.north_sub
    assert client.tags == ["高净值", "企业主"]
    edit = web.get(reverse("clients:edit", args=[client.pk])).content.decode()
    assert "110101199001011237" not in edit and "110101********1237" in edit
    web.post(reverse("clients:edit", args=[client.pk]), {"client_no": "W1", "name": "孙丽华", "id_number": "",
                                                         "phone": "", "tags": ""})
    client.refresh_from_db()
    assert client.name == "孙丽华" and client.id_number == "110101199001011237" and client.phone == "13600000000"
    assert AuditEvent.objects.filter(action="update", client=client, detail={"fields": ["name", "tags"]}).exists()


def test_export_neutralises_formula_cells_holds_no_personal_numbers_and_is_audited(
        bank, web_as, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, name="=1+2", client_no="@SUM")
    web = web_as(bank.north_manager)
    with django_capture_on_commit_callbacks(execute=True):
        job_page = web.post(reverse("exports:request", args=["clients"]))
    job_id = int(job_page.url.rstrip("/").rsplit("/", 1)[1])
    body = b"".join(web.get(reverse("export-download", args=[job_id])).streaming_content).decode("utf-8-sig")
    assert "'=1+2" in body and "'@SUM" in body
    assert "13812345678" not in body and "110101" not in body  # stored encrypted: not exported, not even masked
    assert AuditEvent.objects.filter(action="export", actor=bank.north_manager).count() == 2  # request, download
    assert web_as(bank.hall).post(reverse("exports:request", args=["clients"])).status_code == 403


def test_imports_page_for_head_office_only_with_polling(bank, web_as, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    web = web_as(bank.admin)
    with django_capture_on_commit_callbacks(execute=False):
        response = web.post(reverse("clients:imports"), {"kind": "aum_snapshots",
                                                         "file": SimpleUploadedFile("a.csv", b"client_no,as_of,aum\n")})
    assert response.status_code == 302
    page = web.get(reverse("clients:imports")).content.decode()
    assert "a.csv" in page and 'hx-trigger="every 2s"' in page
    assert web.get(reverse("clients:import-rows")).status_code == 200
    for who in ("advisor", "north_manager"):
        assert web_as(getattr(bank, who)).get(reverse("clients:imports")).status_code == 403


def test_list_page_takes_amounts_in_wan_as_it_shows_them_and_the_api_keeps_yuan(bank, web_as, api_as):
    from decimal import Decimal

    for number, aum in [("W1", "12345.00"), ("W2", "12344.99"), ("W3", "20000000.00")]:
        ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, client_no=number, aum=Decimal(aum))
    page = web_as(bank.advisor)

    def listed(query):
        return {c.client_no for c in page.get(reverse("clients:list") + query).context["clients"]}

    assert listed("?aum_min=1.2345") == {"W1", "W3"}  # 1.2345 万 is 12,345.00 元, to the fen
    assert listed("?aum_min=2000") == {"W3"}
    assert listed("?aum_max=1.2345") == {"W1", "W2"}
    assert "资产下限（万元）" in page.get(reverse("clients:list")).content.decode()
    api = {row["client_no"] for row in api_as(bank.advisor).get("/api/v1/clients/?aum_min=12345").json()["results"]}
    assert api == {"W1", "W3"}
