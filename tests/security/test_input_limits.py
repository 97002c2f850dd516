"""Issue 19 item 5 / API.md "Security": no input gives a 500 — missing fields, odd offsets and dates,
malformed usernames, deep JSON; timestamps never come out with the LMT offset."""

import datetime as dt

import pytest
from django.urls import reverse

from clients.models import Contact
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def test_org_unit_without_parent_is_a_400(bank, api_as):
    response = api_as(bank.head_office).post("/api/v1/org-units/", {"code": "X1", "name": "无上级", "kind": "outlet"},
                                             format="json")
    assert response.status_code == 400 and "parent" in response.json()


@pytest.mark.parametrize("missing", ["role", "org_unit"])
def test_staff_without_role_or_org_unit_is_a_400(bank, api_as, missing):
    body = {"username": "new9", "password": "Str0ng-Passw0rd!x", "role": "advisor", "org_unit": bank.north_sub.pk}
    del body[missing]
    response = api_as(bank.head_office).post("/api/v1/staff/", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()


@pytest.mark.parametrize("value", ["2026-01-01T00:00:00+16:00", "2026-01-01T00:00:00-23:59", "0001-01-01",
                                   "0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59-12:00", "1900-06-01T00:00:00"])
def test_out_of_range_timestamps_in_filters_are_400(bank, api_as, value):
    api = api_as(bank.head_office)
    contacts = api.get("/api/v1/contacts/", {"occurred_after": value})
    assert contacts.status_code == 400 and "occurred_after" in contacts.json()
    audit = api.get("/api/v1/audit-events/", {"after": value})
    assert audit.status_code == 400 and "after" in audit.json()


def test_out_of_range_offset_on_the_audit_page_is_not_a_500(bank, web_as):
    response = web_as(bank.head_office).get("/audit/", {"after": "2026-01-01T00:00:00+16:00"})
    assert response.status_code == 200


def test_a_normal_offset_still_filters(bank, api_as):
    response = api_as(bank.head_office).get("/api/v1/contacts/", {"occurred_after": "2026-01-01T00:00:00+15:59"})
    assert response.status_code == 200


@pytest.mark.parametrize("value", ["0001-01-01", "0001-01-01T00:00:00", "9999-12-31T23:59:59-12:00",
                                   "2026-01-01T00:00:00+20:00"])
def test_out_of_range_contact_time_is_a_400(bank, api_as, value):
    client = ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor)
    response = api_as(bank.advisor).post("/api/v1/contacts/", {"client": client.pk, "channel": "phone", "purpose": "greeting",
                                                               "occurred_at": value}, format="json")
    assert response.status_code == 400 and "occurred_at" in response.json(), response.content


def test_old_timestamps_come_out_with_china_standard_time(bank, api_as):
    client = ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor)
    contact = Contact.objects.create(client=client, staff=bank.advisor, channel="phone",
                                     occurred_at=dt.datetime(1900, 6, 1, tzinfo=dt.UTC))
    body = api_as(bank.advisor).get(f"/api/v1/contacts/{contact.pk}/").json()
    assert body["occurred_at"] == "1900-06-01T08:00:00+08:00"


def deep(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("url", ["/api/v1/auth/token/", "/api/v1/contacts/", "/api/v1/staff/",
                                 "/api/v1/referrals/", "/api/v1/clients/"])
def test_deeply_nested_json_is_a_400(bank, api_as, url):
    response = api_as(bank.head_office).post(url, '{"username": ' + deep(5000) + "}", content_type="application/json")
    assert response.status_code == 400
    response = api_as(bank.head_office).post(url, '{"username": ' + deep(100) + "}", content_type="application/json")
    assert response.status_code == 400


def test_an_oversized_json_body_is_a_400(bank, api_as):
    body = '{"name": "' + "x" * (3 * 1024 * 1024) + '"}'
    response = api_as(bank.head_office).post("/api/v1/clients/", body, content_type="application/json")
    assert response.status_code == 400


def test_api_docs_load(bank, web_as):
    assert web_as(bank.head_office).get(reverse("api-docs")).status_code == 200
