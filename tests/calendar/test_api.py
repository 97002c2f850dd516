import datetime as dt

import pytest

from wealthcrm.calendar import services

pytestmark = pytest.mark.django_db
URL = "/api/v1/calendar/business-days/"


def test_business_days_of_a_range_with_the_years_source(bank, api_as, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        response = api_as(bank.advisor).get(URL, {"start": "2025-09-27", "end": "2025-10-12"})
    assert response.status_code == 200
    assert response.json() == {
        "start": "2025-09-27",
        "end": "2025-10-12",
        "business_days": ["2025-09-28", "2025-09-29", "2025-09-30", "2025-10-09", "2025-10-10", "2025-10-11"],
        "sources": {"2025": "official"},
    }


def test_sources_name_every_year_the_range_touches(bank, api_as):
    body = api_as(bank.hall).get(URL, {"start": "2026-12-01", "end": "2027-01-31"}).json()
    assert body["sources"] == {"2026": "official", "2027": "fallback"}
    assert "2027-01-01" not in body["business_days"]
    assert "2026-12-31" in body["business_days"]


def test_manual_entries_show_as_manual(bank, api_as):
    services.set_manual_days(start=dt.date(2027, 2, 20), end=dt.date(2027, 2, 20), is_business_day=True, name="")
    body = api_as(bank.advisor).get(URL, {"start": "2027-02-19", "end": "2027-02-21"}).json()
    assert body == {"start": "2027-02-19", "end": "2027-02-21", "business_days": ["2027-02-19", "2027-02-20"],
                    "sources": {"2027": "manual"}}


def test_a_full_year_of_366_days_is_allowed(bank, api_as):
    response = api_as(bank.advisor).get(URL, {"start": "2024-01-01", "end": "2024-12-31"})
    assert response.status_code == 200
    assert len(response.json()["business_days"]) == 251


@pytest.mark.parametrize("params, field", [
    ({"start": "2025-13-01", "end": "2025-12-31"}, "start"),
    ({"start": "2025/01/01", "end": "2025-12-31"}, "start"),
    ({"start": "2025-01-01", "end": "tomorrow"}, "end"),
    ({"end": "2025-12-31"}, "start"),
    ({"start": "2025-01-01"}, "end"),
    ({"start": "2025-03-05", "end": "2025-03-04"}, "end"),
    ({"start": "2024-01-01", "end": "2025-01-01"}, "end"),  # 367 days
])
def test_bad_or_missing_dates_and_long_ranges_are_400_with_the_field(bank, api_as, params, field):
    response = api_as(bank.advisor).get(URL, params)
    assert response.status_code == 400
    assert field in response.json()
    assert isinstance(response.json()[field], list)


def test_anonymous_callers_are_refused(api_as):
    response = api_as(None).get(URL, {"start": "2025-01-01", "end": "2025-01-31"})
    assert response.status_code in (401, 403)


def test_token_auth_works(bank, client):
    from wealthcrm.org.services import issue_api_token

    token = issue_api_token(bank.hall)
    response = client.get(URL, {"start": "2025-01-01", "end": "2025-01-31"}, HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200


def test_the_endpoint_is_in_the_openapi_schema(bank, api_as):
    schema = api_as(bank.head_office).get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/calendar/business-days/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"start", "end"}
