"""API.md contract, endpoint by endpoint: shapes, types, filters, scope, roles, docs."""

import re

import pytest

from tests.clients.factories import ContactFactory
from tests.factories import ClientFactory
from tests.referrals.factories import at, submit
from tests.tiers.factories import TierPolicyFactory

pytestmark = pytest.mark.django_db
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)$")


def test_list_shapes(bank, api_as):
    ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor)
    api = api_as(bank.head_office)
    for url in ["/api/v1/org-units/", "/api/v1/staff/", "/api/v1/clients/", "/api/v1/contacts/",
                "/api/v1/imports/", "/api/v1/referrals/", "/api/v1/tier-policies/", "/api/v1/tier-changes/",
                "/api/v1/audit-events/"]:
        r = api.get(url)
        assert r.status_code == 200, (url, r.content)
        assert {"next", "previous", "results"} <= set(r.json()), url


def test_anonymous(bank, api_as):
    api = api_as(None)
    for url in ["/api/v1/org-units/", "/api/v1/staff/", "/api/v1/clients/", "/api/v1/contacts/",
                "/api/v1/imports/", "/api/v1/referrals/", "/api/v1/tier-policies/", "/api/v1/tier-changes/",
                "/api/v1/audit-events/", "/api/v1/calendar/business-days/?start=2026-01-01&end=2026-01-31",
                "/api/v1/tasks/abc/"]:
        assert api.get(url).status_code in (401, 403), url
    for url in ["/api/v1/aum-snapshots/", "/api/v1/tiers/recompute/", "/api/v1/clients/"]:
        assert api.post(url, {}, format="json").status_code in (401, 403), url


def test_unknown_choices(bank, api_as):
    api = api_as(bank.head_office)
    for url in ["/api/v1/org-units/?kind=x", "/api/v1/staff/?role=x", "/api/v1/clients/?tier=x",
                "/api/v1/clients/?risk_level=C9", "/api/v1/contacts/?channel=x", "/api/v1/contacts/?purpose=x",
                "/api/v1/referrals/?status=x", "/api/v1/referrals/?sla_breached=x", "/api/v1/tier-changes/?to_tier=x",
                "/api/v1/tier-changes/?from_tier=x", "/api/v1/audit-events/?action=x",
                "/api/v1/clients/?aum_min=abc", "/api/v1/clients/?org_unit=abc"]:
        r = api.get(url)
        assert r.status_code == 400, (url, r.status_code)


def test_client_fields(bank, api_as):
    c = ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, aum="20000000")
    r = api_as(bank.head_office).get(f"/api/v1/clients/{c.pk}/")
    d = r.json()
    for f in ["id", "client_no", "name", "id_number_masked", "phone_masked", "birth_date", "risk_level", "org_unit",
              "advisor", "household", "tags", "aum", "investable_assets", "tier", "near_threshold"]:
        assert f in d, f
    assert "id_number" not in d and "phone" not in d
    assert d["aum"] == "20000000.00"
    assert d["org_unit"] == bank.north_sub.pk and d["advisor"] == bank.advisor.pk
    assert ISO.match(d["created_at"]), d["created_at"]


@pytest.mark.parametrize("value,ok", [("100.5", True), (100.25, True), (100, True), ("100.123", False),
                                      (-1, False), ("abc", False), (1.005, False), ("1e3", True), (True, False),
                                      ("NaN", False), ("Infinity", False)])
def test_money_inputs(bank, api_as, value, ok):
    ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, client_no="M1")
    r = api_as(bank.head_office).post("/api/v1/aum-snapshots/", {"client_no": "M1", "as_of": "2026-01-31",
                                                                "aum": value}, format="json")
    if ok:
        assert r.status_code in (200, 201), r.content
        assert re.match(r"^\d+\.\d{2}$", r.json()["aum"])
    else:
        assert r.status_code == 400 and "aum" in r.json(), r.content


@pytest.mark.parametrize("value", ["1.001", -5, "x", True])
def test_money_inputs_client(bank, api_as, value):
    r = api_as(bank.head_office).post("/api/v1/clients/", {"client_no": "Z1", "name": "张三",
                                                          "org_unit": bank.north_sub.pk,
                                                          "investable_assets": value}, format="json")
    assert r.status_code == 400 and "investable_assets" in r.json(), r.content


@pytest.mark.parametrize("value", ["1.001", -5, "x", True])
def test_money_inputs_referral(bank, api_as, value):
    r = api_as(bank.hall).post("/api/v1/referrals/", {"prospect_name": "张三", "estimated_assets": value},
                               format="json")
    assert r.status_code == 400 and "estimated_assets" in r.json(), r.content


@pytest.mark.parametrize("field", ["head_office_floor", "branch_floor"])
@pytest.mark.parametrize("value", ["1.001", -5, "x", True])
def test_money_inputs_policy(bank, api_as, field, value):
    body = {"effective_from": "2031-01-01", "head_office_floor": "100000000", "branch_floor": "20000000",
            "near_threshold_margin": "0.1"}
    body[field] = value
    r = api_as(bank.head_office).post("/api/v1/tier-policies/", body, format="json")
    assert r.status_code == 400 and field in r.json(), r.content


def test_policy_fields(bank, api_as):
    TierPolicyFactory()
    r = api_as(bank.head_office).post("/api/v1/tier-policies/", {
        "effective_from": "2031-01-01", "head_office_floor": 100000000, "branch_floor": "20000000.5",
        "near_threshold_margin": "0.1"}, format="json")
    assert r.status_code == 201, r.content
    d = r.json()
    assert d["head_office_floor"] == "100000000.00" and d["branch_floor"] == "20000000.50"
    assert api_as(bank.north_manager).post("/api/v1/tier-policies/", {}, format="json").status_code == 403


def test_detail_scope_404(bank, api_as):
    c = ClientFactory(org_unit=bank.south_sub, advisor=bank.south_advisor)
    api = api_as(bank.advisor)
    assert api.get(f"/api/v1/clients/{c.pk}/").status_code == 404
    assert api.patch(f"/api/v1/clients/{c.pk}/", {"name": "x"}, format="json").status_code == 404
    assert api.post(f"/api/v1/clients/{c.pk}/reveal/", {"field": "phone"}, format="json").status_code == 404
    contact = ContactFactory(client=c, staff=bank.south_advisor)
    assert api.get(f"/api/v1/contacts/{contact.pk}/").status_code == 404
    ref = submit(bank.south_hall, advisor=bank.south_advisor, now=at(2025, 3, 3, 10))
    assert api.get(f"/api/v1/referrals/{ref.pk}/").status_code == 404
    for a in ["contact", "sign", "decline", "close", "reassign"]:
        assert api.post(f"/api/v1/referrals/{ref.pk}/{a}/", {"advisor": bank.advisor2.pk, "reason": "x"},
                        format="json").status_code == 404, a
    assert api_as(bank.north_manager).get(f"/api/v1/referrals/{ref.pk}/").status_code == 404


def test_client_create_roles(bank, api_as):
    body = {"client_no": "K1", "name": "张三"}
    r = api_as(bank.advisor).post("/api/v1/clients/", body, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["advisor"] == bank.advisor.pk and r.json()["org_unit"] == bank.north_sub.pk
    r = api_as(bank.account_manager).post("/api/v1/clients/", {**body, "client_no": "K2"}, format="json")
    assert r.status_code == 201, r.content
    r = api_as(bank.advisor).post("/api/v1/clients/", {**body, "client_no": "K3", "org_unit": bank.south.pk},
                                  format="json")
    assert r.status_code in (400, 403)
    r = api_as(bank.advisor).post("/api/v1/clients/", {**body, "client_no": "K3b", "advisor": bank.advisor2.pk},
                                  format="json")
    assert r.status_code in (400, 403)
    assert api_as(bank.hall).post("/api/v1/clients/", {**body, "client_no": "K4"}, format="json").status_code == 403
    r = api_as(bank.north_manager).post("/api/v1/clients/", {**body, "client_no": "K5",
                                                             "org_unit": bank.north_outlet.pk}, format="json")
    assert r.status_code == 201, r.content
    r = api_as(bank.north_manager).post("/api/v1/clients/", {**body, "client_no": "K6",
                                                             "org_unit": bank.south_sub.pk}, format="json")
    assert r.status_code in (400, 403)
    r = api_as(bank.head_office).post("/api/v1/clients/", {**body, "client_no": "K7",
                                                           "org_unit": bank.south_sub.pk}, format="json")
    assert r.status_code == 201, r.content


def test_org_filter_descendants(bank, api_as):
    c = ClientFactory(org_unit=bank.north_outlet, advisor=bank.account_manager)
    ClientFactory(org_unit=bank.south_sub, advisor=bank.south_advisor)
    r = api_as(bank.head_office).get(f"/api/v1/clients/?org_unit={bank.north.pk}")
    assert [x["id"] for x in r.json()["results"]] == [c.pk]


def test_aum_list(bank, api_as):
    ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, client_no="A1")
    r = api_as(bank.head_office).post("/api/v1/aum-snapshots/", [
        {"client_no": "A1", "as_of": "2026-01-31", "aum": "100.00"},
        {"client_no": "A1", "as_of": "2026-02-28", "aum": "1.001"},
        {"client_no": "NOPE", "as_of": "2026-02-28", "aum": "1"},
        "garbage",
    ], format="json")
    assert r.status_code == 200, r.content
    d = r.json()
    assert d["created"] == 1 and d["updated"] == 0
    assert [x["index"] for x in d["rejected"]] == [1, 2, 3]
    assert "aum" in d["rejected"][0]["errors"]
    assert "client_no" in d["rejected"][1]["errors"]


def test_referral_flow(bank, api_as):
    r = api_as(bank.hall).post("/api/v1/referrals/", {"prospect_name": "张三", "prospect_phone": "13812345678",
                                                       "estimated_assets": "3000000", "advisor": bank.advisor.pk},
                               format="json")
    assert r.status_code == 201, r.content
    d = r.json()
    for f in ["id", "status", "referrer", "advisor", "recommended_at", "sla_due_at", "sla_breached", "contacted_at",
              "signed_at", "closed_at"]:
        assert f in d, f
    assert "estimated_assets" not in d and "prospect_phone" not in d and "note" not in d
    assert ISO.match(d["sla_due_at"])
    pk = d["id"]
    hall_view = api_as(bank.hall).get(f"/api/v1/referrals/{pk}/").json()
    assert "estimated_assets" not in hall_view and "prospect_name" not in hall_view
    adv = api_as(bank.advisor)
    r = adv.post(f"/api/v1/referrals/{pk}/sign/", {}, format="json")
    assert r.status_code == 409 and r.json()["status"] == "recommended"
    r = adv.post(f"/api/v1/referrals/{pk}/contact/", {"note": "ok"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "contacted" and r.json()["contacted_at"]
    assert r.json()["estimated_assets"] == "3000000.00"
    r = adv.post(f"/api/v1/referrals/{pk}/contact/", {"note": "ok"}, format="json")
    assert r.status_code == 409 and r.json()["status"] == "contacted"
    r = adv.post(f"/api/v1/referrals/{pk}/sign/", {"note": "ok"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "signed"
    r = adv.post(f"/api/v1/referrals/{pk}/decline/", {}, format="json")
    assert r.status_code == 409 and r.json()["status"] == "signed", r.content
    r = adv.post(f"/api/v1/referrals/{pk}/close/", {"note": "ok"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "closed"
    r = adv.post(f"/api/v1/referrals/{pk}/reassign/", {"advisor": bank.advisor2.pk}, format="json")
    assert r.status_code in (403, 409)
    r = api_as(bank.north_manager).post(f"/api/v1/referrals/{pk}/reassign/", {"advisor": bank.advisor2.pk},
                                        format="json")
    assert r.status_code == 409 and r.json()["status"] == "closed"


def test_referral_client_no_by_hall(bank, api_as):
    c = ClientFactory(org_unit=bank.south_sub, advisor=bank.south_advisor, client_no="S9")
    r = api_as(bank.hall).post("/api/v1/referrals/", {"client_no": "S9"}, format="json")
    assert r.status_code == 201, r.content
    assert "client" not in r.json() or r.json()["client"] in (None, c.pk)
    r = api_as(bank.hall).post("/api/v1/referrals/", {}, format="json")
    assert r.status_code == 400


def test_tier_changes_and_recompute(bank, api_as, monkeypatch):
    r = api_as(bank.head_office).get("/api/v1/tier-changes/?effective_after=2026-01-01&client=1&org_unit="
                                     f"{bank.north.pk}&effective_before=2026-12-31")
    assert r.status_code == 200
    from tiers import tasks

    class Fake:
        id = "abc"
    monkeypatch.setattr(tasks.recompute_tiers_task, "delay", lambda **kw: Fake())
    r = api_as(bank.head_office).post("/api/v1/tiers/recompute/", {}, format="json")
    assert r.status_code in (200, 202) and r.json() == {"task_id": "abc"}
    assert api_as(bank.north_manager).post("/api/v1/tiers/recompute/", {}, format="json").status_code == 403


def test_calendar(bank, api_as):
    api = api_as(bank.hall)
    r = api.get("/api/v1/calendar/business-days/?start=2026-01-01&end=2026-01-10")
    assert r.status_code == 200
    d = r.json()
    assert set(d) == {"start", "end", "business_days", "sources"}
    assert d["sources"]["2026"] in ("official", "manual", "fallback")
    assert api.get("/api/v1/calendar/business-days/?start=2024-01-01&end=2024-12-31").status_code == 200
    assert api.get("/api/v1/calendar/business-days/?start=2024-01-01&end=2025-01-01").status_code == 400
    assert api.get("/api/v1/calendar/business-days/?start=2024-01-01").status_code == 400


def test_audit(bank, api_as):
    api = api_as(bank.admin)
    for q in ["actor=1", "client=1", "action=view", "after=2026-01-01T00:00:00%2B08:00", "before=2026-01-01",
              "after=2026-01-01"]:
        assert api.get(f"/api/v1/audit-events/?{q}").status_code == 200, q
    assert api_as(bank.north_manager).get("/api/v1/audit-events/").status_code == 403


def test_tasks(bank, api_as):
    r = api_as(bank.head_office).get("/api/v1/tasks/nonexistent-id/")
    assert r.status_code == 200
    assert r.json()["state"] == "PENDING" and r.json()["progress"] == 0


def test_contacts(bank, api_as):
    c = ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor)
    r = api_as(bank.advisor).post("/api/v1/contacts/", {"client": c.pk, "channel": "phone", "purpose": "greeting",
                                                         "occurred_at": "2026-01-05T10:00:00+08:00",
                                                         "summary": "x", "effective": True}, format="json")
    assert r.status_code == 201, r.content
    d = r.json()
    assert d["staff"] == bank.advisor.pk and d["client"] == c.pk
    assert ISO.match(d["occurred_at"]) and d["occurred_at"].endswith("+08:00")
    for q in ["client=1", f"staff={bank.advisor.pk}", "channel=phone", "purpose=greeting", "effective=true",
              "occurred_after=2026-01-01", "occurred_before=2026-12-01T00:00:00%2B08:00"]:
        assert api_as(bank.advisor).get(f"/api/v1/contacts/?{q}").status_code == 200, q


def test_import_status(bank, api_as):
    from django.core.files.uploadedfile import SimpleUploadedFile
    f = SimpleUploadedFile("a.csv", b"client_no,as_of,aum\nX,2026-01-01,1\n")
    r = api_as(bank.head_office).post("/api/v1/imports/", {"kind": "aum_snapshots", "file": f}, format="multipart")
    assert r.status_code == 201, r.content
    d = r.json()
    assert d["status"] in ("pending", "running", "done", "failed")
    d = api_as(bank.head_office).get(f"/api/v1/imports/{d['id']}/").json()
    for f in ["status", "progress", "created", "updated", "unchanged", "errors"]:
        assert f in d
    assert isinstance(d["errors"], list)


def test_docs_offline(bank, web_as):
    r = web_as(bank.head_office).get("/api/docs/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "cdn" not in html.lower() and "unpkg" not in html.lower(), html
    assert web_as(bank.head_office).get("/api/schema/").status_code == 200
