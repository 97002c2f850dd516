"""API.md "Performance": scope for every role, formats, bad input, query counts."""

import datetime as dt
from unittest import mock

import pytest

from performance import tasks
from performance.choices import KpiCode
from performance.models import AnalysisMeeting, Complaint, KpiTarget
from tests.factories import StaffFactory
from tests.performance.factories import at, client_of, contact, snapshot
from wealthcrm.org.choices import Role

SCORECARDS = "/api/v1/scorecards/?period=2026-10"


@pytest.fixture
def computed(bank, recompute):
    client = client_of(bank.advisor, created=at(2025, 1, 1))
    snapshot(client, dt.date(2026, 10, 31), "1000000.00")
    contact(client, bank.advisor, at(2026, 10, 5))
    recompute()
    return client


def names(response):
    assert response.status_code == 200, response.content
    return {row["advisor"] for row in response.json()["results"]}


@pytest.mark.parametrize(("who", "expected"), [
    ("head_office", {"advisor", "advisor2", "centre_advisor", "account_manager", "south_advisor"}),
    ("admin", {"advisor", "advisor2", "centre_advisor", "account_manager", "south_advisor"}),
    ("north_manager", {"advisor", "advisor2", "centre_advisor", "account_manager"}),
    ("north_sub_manager", {"advisor", "advisor2", "account_manager"}),
    ("south_manager", {"south_advisor"}),
    ("advisor", {"advisor"}),
    ("account_manager", {"account_manager"}),
])
def test_scorecards_are_scoped(bank, api_as, computed, who, expected):
    got = names(api_as(getattr(bank, who)).get(SCORECARDS))
    assert got == {getattr(bank, name).pk for name in expected}


@pytest.mark.parametrize("who", ["hall", "south_hall"])
def test_hall_staff_have_no_scorecards(bank, api_as, computed, who):
    assert api_as(getattr(bank, who)).get(SCORECARDS).status_code == 403


def test_anonymous_is_refused(api_as, computed):
    assert api_as(None).get(SCORECARDS).status_code in (401, 403)


def test_scorecard_format(bank, api_as, computed):
    row = api_as(bank.advisor).get(SCORECARDS).json()["results"][0]
    assert set(row) >= {"advisor", "period", "kpis", "score", "rank_in_branch", "rank_in_bank"}
    assert row["period"] == "2026-10"
    assert set(row["kpis"]) == set(KpiCode.values)
    assert row["kpis"]["aum_growth"] == "1000000.00"  # money: decimal string (new money: no snapshot before October)
    assert row["kpis"]["effective_contacts"] == 1
    assert row["kpis"]["coverage_rate"] == 1.0  # rates: numbers 0–1
    assert isinstance(row["score"], str) and row["rank_in_bank"] == 1


@pytest.mark.parametrize("period", ["2026-13", "2026-1", "abc", "2026-10-01", "２０２６-10"])
def test_a_bad_period_is_400_naming_the_field(bank, api_as, period):
    for url in ("/api/v1/scorecards/", "/api/v1/echelons/"):
        response = api_as(bank.head_office).get(url, {"period": period})
        assert response.status_code == 400 and "period" in response.json()


def test_a_month_not_computed_is_empty(bank, api_as, computed):
    assert api_as(bank.head_office).get("/api/v1/scorecards/?period=2025-01").json()["results"] == []


def test_scorecard_list_queries_do_not_grow(bank, api_as, recompute, django_assert_max_num_queries):
    api = api_as(bank.head_office)
    recompute()
    with django_assert_max_num_queries(4):
        assert len(api.get(SCORECARDS).json()["results"]) == 5
    for i in range(20):
        StaffFactory(username=f"extra{i}", role=Role.ADVISOR, org_unit=bank.north_sub)
    recompute()
    with django_assert_max_num_queries(4):
        assert len(api.get(SCORECARDS).json()["results"]) == 25


# --- echelons ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("who", "expected"), [
    ("head_office", {"north", "south", "north_sub", "south_sub", "north_outlet"}),
    ("north_manager", {"north", "north_sub", "north_outlet"}),
    ("north_sub_manager", {"north_sub", "north_outlet"}),
    ("south_manager", {"south", "south_sub"}),
])
def test_echelons_are_scoped(bank, api_as, computed, who, expected):
    response = api_as(getattr(bank, who)).get("/api/v1/echelons/?period=2026-10")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert {row["org_unit"] for row in rows} == {getattr(bank, name).pk for name in expected}
    assert all(row["card"] in (None, "yellow", "red") and 1 <= row["echelon"] <= 5 for row in rows)


@pytest.mark.parametrize("who", ["advisor", "account_manager", "hall", "centre_advisor"])
def test_echelons_are_closed_to_front_line_staff(bank, api_as, computed, who):
    assert api_as(getattr(bank, who)).get("/api/v1/echelons/?period=2026-10").status_code == 403


def test_unknown_kind_is_400(bank, api_as, computed):
    assert api_as(bank.head_office).get("/api/v1/echelons/?period=2026-10&kind=planet").status_code == 400


# --- recompute -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["head_office", "admin"])
def test_head_office_queues_a_recompute(bank, api_as, who):
    with mock.patch.object(tasks.recompute_scorecards_task, "delay", return_value=mock.Mock(id="t-1")) as delay:
        response = api_as(getattr(bank, who)).post("/api/v1/scorecards/recompute/", {"period": "2026-10"},
                                                   format="json")
    assert (response.status_code, response.json()) == (202, {"task_id": "t-1"})
    delay.assert_called_once_with(period="2026-10")


@pytest.mark.parametrize("who", ["north_manager", "advisor", "hall"])
def test_only_head_office_recomputes(bank, api_as, who):
    with mock.patch.object(tasks.recompute_scorecards_task, "delay") as delay:
        response = api_as(getattr(bank, who)).post("/api/v1/scorecards/recompute/", {"period": "2026-10"},
                                                   format="json")
    assert response.status_code == 403
    delay.assert_not_called()


@pytest.mark.parametrize("body", [{}, {"period": "2026-00"}, {"period": "October"}])
def test_recompute_needs_a_valid_period(bank, api_as, body):
    response = api_as(bank.head_office).post("/api/v1/scorecards/recompute/", body, format="json")
    assert response.status_code == 400 and "period" in response.json()


# --- complaints ----------------------------------------------------------------------------------------------

def complaint_body(client, advisor, **extra):
    return {"client": client.pk, "advisor": advisor.pk, "received_on": "2026-10-12", "note": "理财到期未提醒",
            **extra}


def test_a_manager_records_and_decides_a_complaint(bank, api_as):
    client = client_of(bank.advisor)
    api = api_as(bank.north_sub_manager)
    created = api.post("/api/v1/complaints/", complaint_body(client, bank.advisor), format="json")
    assert created.status_code == 201, created.content
    assert created.json()["valid"] is None
    decided = api.post(f"/api/v1/complaints/{created.json()['id']}/decide/", {"valid": True}, format="json")
    assert decided.status_code == 200 and decided.json()["valid"] is True
    assert decided.json()["decided_by"] == bank.north_sub_manager.pk


def test_complaints_outside_scope_are_400_or_404(bank, api_as):
    south_client = client_of(bank.south_advisor)
    response = api_as(bank.north_manager).post("/api/v1/complaints/", complaint_body(south_client, bank.south_advisor),
                                               format="json")
    assert response.status_code == 400 and {"client", "advisor"} <= set(response.json())
    complaint = Complaint.objects.create(client=south_client, advisor=bank.south_advisor,
                                         received_on=dt.date(2026, 10, 1))
    api = api_as(bank.north_manager)
    assert api.get(f"/api/v1/complaints/{complaint.pk}/").status_code == 404
    assert api.post(f"/api/v1/complaints/{complaint.pk}/decide/", {"valid": True}, format="json").status_code == 404


def test_an_advisor_reads_only_their_own_complaints_and_never_writes(bank, api_as):
    mine = Complaint.objects.create(client=client_of(bank.advisor), advisor=bank.advisor,
                                    received_on=dt.date(2026, 10, 1))
    Complaint.objects.create(client=client_of(bank.advisor2), advisor=bank.advisor2, received_on=dt.date(2026, 10, 1))
    api = api_as(bank.advisor)
    assert [row["id"] for row in api.get("/api/v1/complaints/").json()["results"]] == [mine.pk]
    assert api.post(f"/api/v1/complaints/{mine.pk}/decide/", {"valid": False}, format="json").status_code == 403
    assert api.post("/api/v1/complaints/", complaint_body(mine.client, bank.advisor), format="json").status_code == 403
    assert api_as(bank.hall).get("/api/v1/complaints/").status_code == 403


def test_complaint_received_in_the_future_is_400(bank, api_as):
    body = complaint_body(client_of(bank.advisor), bank.advisor, received_on="2999-01-01")
    response = api_as(bank.head_office).post("/api/v1/complaints/", body, format="json")
    assert response.status_code == 400 and "received_on" in response.json()


# --- analysis meetings ---------------------------------------------------------------------------------------

def test_a_branch_manager_records_a_meeting_of_their_branch(bank, api_as):
    client = client_of(bank.centre_advisor)
    body = {"org_unit": bank.north.pk, "held_on": "2026-10-20", "attendees": [bank.centre_advisor.pk],
            "clients": [client.pk], "notes": "讨论三位临界提级客户"}
    response = api_as(bank.north_manager).post("/api/v1/analysis-meetings/", body, format="json")
    assert response.status_code == 201, response.content
    meeting = AnalysisMeeting.objects.get()
    assert list(meeting.attendees.all()) == [bank.centre_advisor] and list(meeting.clients.all()) == [client]
    assert api_as(bank.south_manager).get("/api/v1/analysis-meetings/").json()["results"] == []
    assert len(api_as(bank.head_office).get("/api/v1/analysis-meetings/").json()["results"]) == 1


def test_a_meeting_of_another_branch_is_400(bank, api_as):
    body = {"org_unit": bank.south.pk, "held_on": "2026-10-20", "attendees": [bank.south_advisor.pk]}
    response = api_as(bank.north_manager).post("/api/v1/analysis-meetings/", body, format="json")
    assert response.status_code == 400 and {"org_unit", "attendees"} <= set(response.json())


@pytest.mark.parametrize("who", ["advisor", "hall"])
def test_meetings_are_closed_to_front_line_staff(bank, api_as, who):
    assert api_as(getattr(bank, who)).get("/api/v1/analysis-meetings/").status_code == 403


# --- targets -------------------------------------------------------------------------------------------------

def target_body(**extra):
    return {"role": "advisor", "kpi": "effective_contacts", "effective_from": "2026-12-01", "target": "80",
            "weight": "10", "cap": "1.2", **extra}


def test_head_office_adds_a_target(bank, api_as):
    response = api_as(bank.head_office).post("/api/v1/kpi-targets/", target_body(), format="json")
    assert response.status_code == 201, response.content
    assert KpiTarget.objects.filter(effective_from=dt.date(2026, 12, 1), created_by=bank.head_office).exists()


@pytest.mark.parametrize(("extra", "field"), [
    ({"effective_from": "2026-12-15"}, "effective_from"),
    ({"effective_from": "2000-01-01"}, "effective_from"),  # the defaults' month: already set
    ({"kpi": "complaints"}, "kpi"),
    ({"kpi": "happiness"}, "kpi"),
    ({"target": "0"}, "target"),
    ({"weight": "-1"}, "weight"),
    ({"cap": "0.5"}, "cap"),
    ({"role": "hall_staff"}, "role"),
    ({"target": "abc"}, "target"),
])
def test_bad_targets_are_400_naming_the_field(bank, api_as, extra, field):
    response = api_as(bank.head_office).post("/api/v1/kpi-targets/", target_body(**extra), format="json")
    assert response.status_code == 400 and field in response.json(), response.content


@pytest.mark.parametrize("who", ["north_manager", "advisor"])
def test_only_head_office_writes_targets(bank, api_as, who):
    api = api_as(getattr(bank, who))
    assert api.get("/api/v1/kpi-targets/?kpi=coverage_rate").status_code == 200
    assert api.post("/api/v1/kpi-targets/", target_body(), format="json").status_code == 403


@pytest.mark.parametrize("url", ["/api/v1/scorecards/?advisor={south_advisor}", "/api/v1/complaints/?advisor={south_advisor}",
                                 "/api/v1/complaints/?client={south_client}",
                                 "/api/v1/analysis-meetings/?org_unit={south}", "/api/v1/scorecards/?org_unit={south}"])
def test_filter_choices_out_of_scope_are_400(bank, api_as, url):
    """ScopedFilterSet: staff, clients and org units are offered within the caller's scope only."""
    url = url.format(south_advisor=bank.south_advisor.pk, south_client=client_of(bank.south_advisor).pk,
                     south=bank.south.pk)
    response = api_as(bank.north_manager).get(url)
    assert response.status_code == 400
    assert api_as(bank.head_office).get(url).status_code == 200
