from datetime import date
from decimal import Decimal
from unittest import mock

import pytest

from tests.factories import ClientFactory
from tiers import tasks
from tiers.models import TierChange, TierPolicy, TierRun
from wealthcrm.tiering import Tier

POLICY = {"effective_from": "2027-01-01", "head_office_floor": "120000000.00", "branch_floor": "30000000",
          "near_threshold_margin": "0.15"}


@pytest.mark.parametrize("who", ["head_office", "admin"])
def test_head_office_adds_a_policy_with_money_as_strings(bank, api_as, who):
    response = api_as(getattr(bank, who)).post("/api/v1/tier-policies/", POLICY, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["head_office_floor"], body["branch_floor"], body["near_threshold_margin"]) == (
        "120000000.00", "30000000.00", "0.1500")
    assert TierPolicy.objects.effective_on(date(2027, 1, 1)).branch_floor == Decimal("30000000.00")


@pytest.mark.parametrize("who", ["north_manager", "advisor", "account_manager", "hall"])
def test_only_head_office_edits_policy(bank, api_as, who):
    response = api_as(getattr(bank, who)).post("/api/v1/tier-policies/", POLICY, format="json")
    assert response.status_code == 403
    assert not TierPolicy.objects.filter(effective_from=date(2027, 1, 1)).exists()


@pytest.mark.parametrize(("who", "code"), [("north_manager", 200), ("advisor", 200), ("hall", 403)])
def test_policy_reading(bank, api_as, who, code):
    response = api_as(getattr(bank, who)).get("/api/v1/tier-policies/")
    assert response.status_code == code
    if code == 200:
        assert response.json()["results"][0]["head_office_floor"] == "100000000.00"


def test_policy_list_needs_sign_in(bank, api_as):
    assert api_as(None).get("/api/v1/tier-policies/").status_code in (401, 403)


@pytest.mark.parametrize(("change", "field"), [
    ({"branch_floor": "20000000.001"}, "branch_floor"),
    ({"branch_floor": "-1"}, "branch_floor"),
    ({"branch_floor": "abc"}, "branch_floor"),
    ({"head_office_floor": "30000000"}, "head_office_floor"),
    ({"near_threshold_margin": "1"}, "near_threshold_margin"),
    ({"effective_from": "2000-01-01"}, "effective_from"),
])
def test_bad_policy_is_400_with_the_field_named(bank, api_as, change, field):
    response = api_as(bank.head_office).post("/api/v1/tier-policies/", {**POLICY, **change}, format="json")
    assert response.status_code == 400
    assert field in response.json()


def _changes(bank):
    mine = ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, aum=Decimal("30000000.00"))
    other = ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor2, aum=Decimal("150000000.00"))
    south = ClientFactory(org_unit=bank.south_sub, advisor=bank.south_advisor, aum=Decimal("25000000.00"))
    tasks.recompute_tiers_task.apply(kwargs={"as_of": "2026-03-31"})
    return mine, other, south


@pytest.mark.parametrize(("who", "expected"), [
    ("head_office", {"mine", "other", "south"}),
    ("north_manager", {"mine", "other"}),
    ("north_sub_manager", {"mine", "other"}),
    ("south_manager", {"south"}),
    ("advisor", {"mine"}),
    ("centre_advisor", set()),
])
def test_tier_change_list_is_scoped_through_the_client(bank, api_as, who, expected):
    mine, other, south = _changes(bank)
    names = {mine.pk: "mine", other.pk: "other", south.pk: "south"}
    response = api_as(getattr(bank, who)).get("/api/v1/tier-changes/")
    assert response.status_code == 200
    assert {names[row["client"]] for row in response.json()["results"]} == expected


def test_hall_staff_cannot_read_tier_changes(bank, api_as):
    _changes(bank)
    assert api_as(bank.hall).get("/api/v1/tier-changes/").status_code == 403


def test_tier_change_filters(bank, api_as):
    mine, other, south = _changes(bank)
    api = api_as(bank.head_office)

    def ids(query):
        response = api.get("/api/v1/tier-changes/", query)
        assert response.status_code == 200, response.json()
        return {row["client"] for row in response.json()["results"]}

    assert ids({"to_tier": Tier.HEAD_OFFICE}) == {other.pk}
    assert ids({"from_tier": Tier.SUB_BRANCH, "to_tier": Tier.BRANCH}) == {mine.pk, south.pk}
    assert ids({"org_unit": bank.north.pk}) == {mine.pk, other.pk}
    assert ids({"client": south.pk}) == {south.pk}
    assert ids({"effective_after": "2026-04-01"}) == set()
    assert ids({"effective_before": "2026-03-31", "effective_after": "2026-03-31"}) == {mine.pk, other.pk, south.pk}
    assert api.get("/api/v1/tier-changes/", {"to_tier": "platinum"}).status_code == 400


def test_tier_change_row_shape(bank, api_as):
    _changes(bank)
    row = api_as(bank.head_office).get("/api/v1/tier-changes/", {"to_tier": "head_office"}).json()["results"][0]
    assert (row["from_tier"], row["to_tier"], row["aum"], row["effective_date"], row["reason"]) == (
        "sub_branch", "head_office", "150000000.00", "2026-03-31", "nightly")


def test_tier_change_list_query_count_does_not_grow(bank, api_as, django_assert_max_num_queries):
    api = api_as(bank.head_office)
    ClientFactory.create_batch(3, org_unit=bank.north_sub, aum=Decimal("30000000.00"))
    tasks.recompute_tiers_task.apply(kwargs={"as_of": "2026-03-31"})
    with django_assert_max_num_queries(3):
        assert len(api.get("/api/v1/tier-changes/").json()["results"]) == 3
    ClientFactory.create_batch(30, org_unit=bank.north_sub, aum=Decimal("30000000.00"))
    tasks.recompute_tiers_task.apply(kwargs={"as_of": "2026-04-01"})
    with django_assert_max_num_queries(3):
        assert len(api.get("/api/v1/tier-changes/").json()["results"]) == 33


@pytest.mark.parametrize("who", ["head_office", "admin"])
def test_head_office_queues_a_recompute(bank, api_as, who):
    with mock.patch.object(tasks.recompute_tiers_task, "delay", return_value=mock.Mock(id="abc-123")) as delay:
        response = api_as(getattr(bank, who)).post("/api/v1/tiers/recompute/", {}, format="json")
    assert response.status_code == 202
    assert response.json() == {"task_id": "abc-123"}
    delay.assert_called_once_with(as_of=None, reason="manual")


@pytest.mark.parametrize("who", ["north_manager", "advisor", "hall"])
def test_only_head_office_recomputes(bank, api_as, who):
    with mock.patch.object(tasks.recompute_tiers_task, "delay") as delay:
        response = api_as(getattr(bank, who)).post("/api/v1/tiers/recompute/", {}, format="json")
    assert response.status_code == 403
    delay.assert_not_called()


def test_task_runs_the_service_and_reports_the_run(bank):
    ClientFactory(org_unit=bank.north, aum=Decimal("100000000.00"))
    result = tasks.recompute_tiers_task.apply(kwargs={"as_of": "2026-03-31"})
    assert result.successful()
    assert result.result["upgrades"] == 1
    assert TierRun.objects.get(pk=result.result["run"]).as_of == date(2026, 3, 31)
    assert TierChange.objects.count() == 1
    assert tasks.recompute_tiers_task.acks_late is True


def test_nightly_schedule_is_0100_shanghai(db):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(name="nightly tier recompute")
    assert task.task == "tiers.tasks.recompute_tiers_task"
    assert (task.crontab.minute, task.crontab.hour, str(task.crontab.timezone)) == ("0", "1", "Asia/Shanghai")


def test_health_shows_the_last_run(bank, client):
    client.force_login(bank.head_office)
    from wealthcrm.health import CHECKS

    assert CHECKS["tier_recompute"]() == {"ok": True, "last_run": None}
    tasks.recompute_tiers_task.apply(kwargs={})
    check = CHECKS["tier_recompute"]()
    assert check["ok"] is True and check["last_run"]["status"] == "done"
    body = client.get("/health/").json()
    assert body["tier_recompute"]["last_run"]["status"] == "done"


def _walk(api, url, key="next"):
    pages, seen = 0, []
    while url:
        body = api.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url, pages = body[key], pages + 1
        assert pages < 100, "the pages go round in a loop"
    return seen, body


def test_tier_changes_of_one_night_page_through_whole_past_drfs_offset_cap(bank, api_as):
    """A night's tier changes share their date: the cursor holds (date, id), so a tie group of more than the
    1,000 rows DRF's offset cursor could skip still pages through once each, forward and back."""
    client = ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor)
    TierChange.objects.bulk_create(
        TierChange(client=client, client_unit=bank.north_sub, from_tier=Tier.SUB_BRANCH, to_tier=Tier.BRANCH,
                   direction="upgrade", aum=Decimal("30000000.00"), effective_date=date(2026, 3, 31),
                   reason="nightly") for _ in range(1_150))
    later = TierChange.objects.create(client=client, client_unit=bank.north_sub, from_tier=Tier.BRANCH,
                                      to_tier=Tier.SUB_BRANCH, direction="downgrade", aum=Decimal("1.00"),
                                      effective_date=date(2026, 4, 30), reason="nightly")
    expected = [later.pk, *TierChange.objects.filter(effective_date=date(2026, 3, 31))
                .order_by("-id").values_list("id", flat=True)]
    api = api_as(bank.head_office)
    forward, last = _walk(api, "/api/v1/tier-changes/?page_size=100")
    assert forward == expected
    backward, first = _walk(api, last["previous"], key="previous")
    # back from the last page: every page before it, each in the list's own order
    pages = [expected[i:i + 100] for i in range(0, len(expected), 100)]
    assert backward == [row for page in reversed(pages[:-1]) for row in page]
    assert first["previous"] is None and first["next"]


def test_a_cursor_handed_out_before_keeps_working_and_a_forged_one_is_404(bank, api_as):
    from base64 import b64encode

    client = ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor)
    for day in (1, 2, 2, 3):
        TierChange.objects.create(client=client, client_unit=bank.north_sub, from_tier=Tier.SUB_BRANCH,
                                  to_tier=Tier.BRANCH, direction="upgrade", aum=Decimal("1.00"),
                                  effective_date=date(2026, 3, day), reason="nightly")
    api = api_as(bank.head_office)
    # DRF's own form: rows past the first ordering field's value, less an offset (one of 2026-03-02's two rows)
    old = b64encode(b"o=1&p=2026-03-03").decode()
    rows = api.get("/api/v1/tier-changes/", {"cursor": old}).json()["results"]
    assert [row["effective_date"] for row in rows] == ["2026-03-02", "2026-03-01"]
    assert rows[0]["id"] == min(TierChange.objects.filter(effective_date=date(2026, 3, 2)).values_list("id", flat=True))
    for forged in (b64encode(b"p=2026-13-45~1").decode(), b64encode(b"p=2026-03-02~abc").decode()):
        assert api.get("/api/v1/tier-changes/", {"cursor": forged}).status_code == 404
