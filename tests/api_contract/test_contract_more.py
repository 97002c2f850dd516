"""More of API.md: superuser rights, directory, token, PATCH rules, audit shape, offline docs."""

import pytest

from tests.factories import ClientFactory, StaffFactory
from wealthcrm.org.choices import Role

pytestmark = pytest.mark.django_db


def test_superuser_is_admin(bank, api_as):
    su = StaffFactory(username="root", role=Role.HALL_STAFF, org_unit=bank.north_outlet, is_superuser=True)
    r = api_as(su).post("/api/v1/clients/", {"client_no": "Q1", "name": "x", "org_unit": bank.south_sub.pk},
                        format="json")
    assert r.status_code == 201, r.content
    assert api_as(su).get("/api/v1/audit-events/").status_code == 200


def test_staff_and_org(bank, api_as):
    api = api_as(bank.head_office)
    r = api.post("/api/v1/org-units/", {"code": "SZ0101", "name": "x", "kind": "outlet", "parent": bank.south_sub.pk},
                 format="json")
    assert r.status_code == 201, r.content
    assert r.json()["parent"] == bank.south_sub.pk
    r = api.post("/api/v1/staff/", {"username": "new1", "password": "Str0ng-Passw0rd!x", "display_name": "新",
                                    "role": "advisor", "org_unit": bank.south_sub.pk}, format="json")
    assert r.status_code == 201, r.content
    assert "password" not in r.json() and r.json()["org_unit"] == bank.south_sub.pk
    r = api.get(f"/api/v1/staff/?org_unit={bank.south.pk}")
    assert bank.south_advisor.pk in [x["id"] for x in r.json()["results"]]
    assert api_as(bank.north_manager).post("/api/v1/org-units/", {}, format="json").status_code == 403
    assert api_as(bank.north_manager).post("/api/v1/staff/", {}, format="json").status_code == 403


def test_token(bank, api_as):
    r = api_as(None).post("/api/v1/auth/token/", {"username": "ho", "password": bank.password}, format="json")
    assert r.status_code == 200 and set(r.json()) == {"token"}
    from rest_framework.test import APIClient
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION="Token " + r.json()["token"])
    assert c.get("/api/v1/clients/").status_code == 200




def test_patch_client(bank, api_as):
    a = ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor)
    api = api_as(bank.advisor)
    r = api.patch(f"/api/v1/clients/{a.pk}/", {"investable_assets": 12.5}, format="json")
    assert r.status_code == 200 and r.json()["investable_assets"] == "12.50"
    r = api.patch(f"/api/v1/clients/{a.pk}/", {"advisor": bank.advisor2.pk}, format="json")
    assert r.status_code in (400, 403)
    r = api.patch(f"/api/v1/clients/{a.pk}/", {"aum": "1.00", "tier": "head_office"}, format="json")
    assert r.status_code in (200, 400)
    a.refresh_from_db()
    assert str(a.aum) == "1000000.00"


def test_docs_assets(bank, web_as):
    import re

    from django.contrib.staticfiles import finders
    html = web_as(bank.head_office).get("/api/docs/").content.decode()
    srcs = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert srcs
    for s in srcs:
        assert s.startswith("/"), s
        if s.startswith("/static/"):
            assert finders.find(s[len("/static/"):]), s



def test_audit_shape(bank, api_as):
    a = ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor)
    api_as(bank.advisor).get(f"/api/v1/clients/{a.pk}/")
    d = api_as(bank.admin).get(f"/api/v1/audit-events/?client={a.pk}&action=view").json()["results"][0]
    assert d["client"] == a.pk and d["actor"] == bank.advisor.pk and d["at"].endswith("+08:00"), d
    assert set(d) >= {"id", "at", "actor", "action", "object_type", "object_id", "client", "detail", "ip"}
