"""Regression tests for the contract deviations fixed in the API review (one test per fix)."""

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError

from tests.clients.factories import ContactFactory
from tests.factories import ClientFactory
from tests.referrals.factories import at, submit
from wealthcrm.api import raise_as_drf

pytestmark = pytest.mark.django_db


# Fix 1: boolean filters (clients ``near_threshold``, contacts ``effective``) ignored an unknown value and
# returned the unfiltered list; API.md: unknown choice values → 400.

@pytest.mark.parametrize("url", ["/api/v1/clients/?near_threshold=maybe", "/api/v1/contacts/?effective=yes-ish"])
def test_unknown_boolean_filter_value_is_400_with_the_field_named(bank, api_as, url):
    response = api_as(bank.advisor).get(url)
    assert response.status_code == 400
    assert list(response.json()) == [url.split("?")[1].split("=")[0]]


def test_boolean_filters_still_filter(bank, api_as):
    near = ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, near_threshold=True)
    other = ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor)
    api = api_as(bank.advisor)

    def ids(url):
        return sorted(row["id"] for row in api.get(url).json()["results"])

    for value in ("true", "True", "1"):
        assert ids(f"/api/v1/clients/?near_threshold={value}") == [near.pk]
    for value in ("false", "False", "0"):
        assert ids(f"/api/v1/clients/?near_threshold={value}") == [other.pk]
    assert ids("/api/v1/clients/?near_threshold=") == sorted([near.pk, other.pk])
    missed = ContactFactory(client=near, staff=bank.advisor, effective=False)
    reached = ContactFactory(client=near, staff=bank.advisor, effective=True)
    assert ids("/api/v1/contacts/?effective=false") == [missed.pk]
    assert ids("/api/v1/contacts/?effective=true") == [reached.pk]


def test_client_list_page_tolerates_its_own_and_unknown_boolean_values(bank, web_as):
    ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, near_threshold=True, name="临界客户")
    page = web_as(bank.advisor)
    for value in ("true", "unknown", "maybe"):
        assert page.get(f"/clients/?near_threshold={value}").status_code == 200


# Fix 2: ``decline`` without a reason on a referral in the wrong status answered 400 (serializer first)
# instead of 409 with the current status; the reason is still required where decline is allowed.

def test_decline_from_wrong_status_is_409_even_without_a_reason(bank, api_as):
    referral = submit(bank.hall, advisor=bank.advisor, now=at(2025, 3, 3, 10))
    response = api_as(bank.advisor).post(f"/api/v1/referrals/{referral.pk}/decline/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["status"] == "recommended"


def test_decline_where_allowed_still_needs_a_reason(bank, api_as):
    referral = submit(bank.hall, advisor=bank.advisor, now=at(2025, 3, 3, 10))
    api = api_as(bank.advisor)
    assert api.post(f"/api/v1/referrals/{referral.pk}/contact/", {}, format="json").status_code == 200
    response = api.post(f"/api/v1/referrals/{referral.pk}/decline/", {"reason": " "}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    response = api.post(f"/api/v1/referrals/{referral.pk}/decline/", {"reason": "暂无需求"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "declined"


# Fix 3: a service error not tied to a field came out as ``{"detail": ["..."]}``; API.md: ``{"detail": "..."}``.

def test_non_field_service_error_is_a_detail_string():
    with pytest.raises(ValidationError) as caught:
        raise_as_drf(DjangoValidationError(["第一条。", "第二条。"]))
    assert caught.value.detail == {"detail": "第一条。 第二条。"}
    with pytest.raises(ValidationError) as caught:
        raise_as_drf(DjangoValidationError({"name": ["必填。"]}))
    assert caught.value.detail == {"name": ["必填。"]}


def test_sla_due_at_is_next_business_day_close_with_offset(bank, api_as):
    # Friday evening, after close of business: due Monday 18:00 Shanghai.
    referral = submit(bank.hall, advisor=bank.advisor, now=at(2025, 3, 7, 20))
    body = api_as(bank.advisor).get(f"/api/v1/referrals/{referral.pk}/").json()
    assert body["sla_due_at"] == "2025-03-10T18:00:00+08:00"
    assert body["recommended_at"] == "2025-03-07T20:00:00+08:00"
