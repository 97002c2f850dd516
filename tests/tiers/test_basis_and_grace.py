"""Tier basis (latest balance or last month's 月日均) and downgrade grace (PRODUCT.md "Tier rule", issue 21 item 2)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from clients.models import AumSnapshot, Client
from tests.factories import ClientFactory
from tests.tiers.factories import TierPolicyFactory
from tiers import services
from tiers.choices import Direction, TierBasis
from tiers.models import TierChange, TierPolicy
from wealthcrm.tiering import Tier

YI = Decimal("100000000.00")
WAN = Decimal("10000.00")
FLOORS = {"head_office_floor": YI, "branch_floor": 2000 * WAN, "near_threshold_margin": Decimal("0.10")}


def policy(*, basis=TierBasis.LATEST, grace=0, effective_from=date(2020, 1, 1)):
    return TierPolicyFactory(effective_from=effective_from, tier_basis=basis, downgrade_grace_months=grace)


def snapshots(client, *rows):
    """``(day, aum)`` or ``(day, aum, avg_daily_aum)`` rows of ``client``."""
    AumSnapshot.objects.bulk_create(
        AumSnapshot(client=client, as_of=row[0], aum=row[1], avg_daily_aum=row[2] if len(row) > 2 else None)
        for row in rows)


def recompute(as_of):
    return services.recompute_tiers(as_of=as_of)


def fresh(client):
    client.refresh_from_db()
    return client


def last_change(client):
    return TierChange.objects.filter(client=client).order_by("-effective_date", "-id").first()


def set_aum(client, amount):
    Client.objects.filter(pk=client.pk).update(aum=amount)


def branch_client(bank, *, grace, settled_on=date(2026, 1, 1)):
    """A 分行级 client (3000万) under a policy with ``grace`` months, settled by a run on ``settled_on``."""
    policy(grace=grace)
    client = ClientFactory(org_unit=bank.north, aum=3000 * WAN)
    recompute(settled_on)
    return client


# --- 月日均 basis -------------------------------------------------------------------------------------------

def test_monthly_average_carries_each_balance_forward_over_missing_days(bank):
    policy(basis=TierBasis.MONTHLY_AVERAGE)
    # A deposit parked for the last two days of February does not make a 总行级 client: the latest balance is 1.5亿
    # but February's average is 1–9 Feb at 1000万 (carried from 31 Jan), 10–26 Feb at 3000万, 27–28 Feb at 1.5亿.
    client = ClientFactory(org_unit=bank.north, aum=Decimal("150000000.00"))
    snapshots(client, (date(2026, 1, 31), 1000 * WAN), (date(2026, 2, 10), 3000 * WAN),
              (date(2026, 2, 27), Decimal("150000000.00")))
    recompute(date(2026, 3, 5))
    expected = ((9 * 1000 + 17 * 3000 + 2 * 15000) * WAN / 28).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    change = last_change(client)
    assert (fresh(client).tier, change.basis, change.basis_aum) == (Tier.BRANCH, TierBasis.MONTHLY_AVERAGE, expected)
    assert change.aum == Decimal("150000000.00")  # the latest balance is still recorded next to the basis


@pytest.mark.parametrize(("month_start", "days", "tier"), [
    (date(2026, 2, 1), 28, Tier.BRANCH),        # 4000万 × 14 / 28 = 2000万 exactly: the floor is inclusive
    (date(2028, 2, 1), 29, Tier.SUB_BRANCH),    # leap February
    (date(2026, 4, 1), 30, Tier.SUB_BRANCH),
    (date(2026, 3, 1), 31, Tier.SUB_BRANCH),
])
def test_the_average_divides_by_the_days_of_the_month(bank, month_start, days, tier):
    policy(basis=TierBasis.MONTHLY_AVERAGE)
    client = ClientFactory(org_unit=bank.north, aum=Decimal("0.00"))
    # 4000万 from before the month until the 14th, nothing from the 15th on.
    snapshots(client, (month_start - timedelta(days=3), 4000 * WAN), (month_start.replace(day=15), Decimal("0.00")))
    recompute(month_start + timedelta(days=days))   # the first day of the next month
    expected = (4000 * WAN * 14 / days).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    assert fresh(client).tier == tier
    if tier == Tier.BRANCH:
        assert last_change(client).basis_aum == expected
    else:
        assert not TierChange.objects.filter(client=client).exists()
        assert expected < 2000 * WAN


def test_without_a_balance_before_the_month_the_average_counts_from_the_first_snapshot(bank):
    policy(basis=TierBasis.MONTHLY_AVERAGE)
    newcomer = ClientFactory(org_unit=bank.north, aum=3000 * WAN)
    snapshots(newcomer, (date(2026, 2, 20), 3000 * WAN), (date(2026, 2, 25), 1000 * WAN))
    recompute(date(2026, 3, 1))
    # 20–24 Feb at 3000万, 25–28 Feb at 1000万: 9 days, not 28.
    expected = ((5 * 3000 + 4 * 1000) * WAN / 9).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    assert (fresh(newcomer).tier, last_change(newcomer).basis_aum) == (Tier.BRANCH, expected)


def test_snapshots_after_the_month_and_months_before_do_not_count(bank):
    policy(basis=TierBasis.MONTHLY_AVERAGE)
    client = ClientFactory(org_unit=bank.north, aum=2 * YI, tier=Tier.HEAD_OFFICE)
    snapshots(client, (date(2025, 12, 31), 3 * YI), (date(2026, 1, 1), 500 * WAN), (date(2026, 2, 3), 2 * YI))
    recompute(date(2026, 2, 28))  # January: 500万 every day
    assert (fresh(client).tier, last_change(client).basis_aum) == (Tier.SUB_BRANCH, 500 * WAN)


def test_a_client_without_any_snapshot_by_the_month_end_keeps_the_tier(bank):
    policy(basis=TierBasis.MONTHLY_AVERAGE)
    client = ClientFactory(org_unit=bank.north, aum=Decimal("0.00"), tier=Tier.BRANCH)
    snapshots(client, (date(2026, 3, 2), Decimal("0.00")))
    run = recompute(date(2026, 3, 10))
    assert fresh(client).tier == Tier.BRANCH and run.downgrades == 0


def test_the_feeds_monthly_average_wins_over_the_computed_one(bank):
    policy(basis=TierBasis.MONTHLY_AVERAGE)
    client = ClientFactory(org_unit=bank.north, aum=3000 * WAN)
    # Computed from the snapshots February would average 3000万; core banking says 1500万 (the latest row wins).
    snapshots(client, (date(2026, 1, 31), 3000 * WAN), (date(2026, 2, 14), 3000 * WAN, 9000 * WAN),
              (date(2026, 2, 28), 3000 * WAN, 1500 * WAN))
    other = ClientFactory(org_unit=bank.north, aum=Decimal("0.00"))
    snapshots(other, (date(2026, 2, 28), Decimal("0.00"), 2500 * WAN))
    recompute(date(2026, 3, 2))
    assert fresh(client).tier == Tier.SUB_BRANCH and not TierChange.objects.filter(client=client).exists()
    assert (fresh(other).tier, last_change(other).basis_aum) == (Tier.BRANCH, 2500 * WAN)


def test_the_monthly_basis_changes_nothing_within_the_month(bank):
    policy(basis=TierBasis.MONTHLY_AVERAGE)
    client = ClientFactory(org_unit=bank.north, aum=3000 * WAN)
    snapshots(client, (date(2026, 1, 31), 3000 * WAN))
    first = recompute(date(2026, 3, 1))
    set_aum(client, Decimal("5.00"))  # today's balance moves, February does not
    again = recompute(date(2026, 3, 20))
    assert (first.upgrades, again.upgrades, again.downgrades) == (1, 0, 0)
    assert fresh(client).tier == Tier.BRANCH


# --- downgrade grace ----------------------------------------------------------------------------------------

def test_downgrade_waits_for_the_grace_months_on_the_latest_balance(bank):
    policy(grace=6)
    client = ClientFactory(org_unit=bank.north, aum=2 * YI)
    recompute(date(2025, 12, 1))
    set_aum(client, 5000 * WAN)
    for day in (date(2026, 1, 15), date(2026, 3, 1), date(2026, 7, 14)):
        run = recompute(day)
        assert (fresh(client).tier, run.downgrades) == (Tier.HEAD_OFFICE, 0), day
    assert fresh(client).tier_below_since == date(2026, 1, 15)
    run = recompute(date(2026, 7, 15))  # six months below the 1亿 floor
    change = last_change(client)
    assert (fresh(client).tier, run.downgrades) == (Tier.BRANCH, 1)
    assert (change.direction, change.months_below, change.basis_aum, change.rule) == (
        Direction.DOWNGRADE, 6, 5000 * WAN, "降级（连续 6 个月低于门槛）")
    assert fresh(client).tier_below_since is None


def test_months_below_must_be_consecutive(bank):
    client = branch_client(bank, grace=3)
    set_aum(client, 1000 * WAN)
    recompute(date(2026, 1, 10))
    set_aum(client, 2000 * WAN)   # back at the floor: the count starts again
    recompute(date(2026, 2, 10))
    assert fresh(client).tier_below_since is None
    set_aum(client, 1000 * WAN)
    recompute(date(2026, 3, 1))
    recompute(date(2026, 4, 10))   # three months after the first dip, but not three in a row
    assert fresh(client).tier == Tier.BRANCH
    recompute(date(2026, 6, 1))
    assert fresh(client).tier == Tier.SUB_BRANCH


def test_upgrade_takes_effect_at_once_whatever_the_grace(bank):
    policy(grace=6)
    client = ClientFactory(org_unit=bank.north, aum=3000 * WAN)
    run = recompute(date(2026, 3, 31))
    change = last_change(client)
    assert (fresh(client).tier, run.upgrades, change.months_below, change.rule) == (Tier.BRANCH, 1, 0, "升级")


def test_a_held_client_recovering_above_the_floor_stays_without_a_change(bank):
    client = branch_client(bank, grace=6)
    set_aum(client, 100 * WAN)
    recompute(date(2026, 2, 1))
    set_aum(client, 2500 * WAN)
    run = recompute(date(2026, 3, 1))
    assert (fresh(client).tier, fresh(client).tier_below_since, run.upgrades, run.downgrades) == (
        Tier.BRANCH, None, 0, 0)


def test_a_grace_run_repeated_changes_nothing(bank):
    client = branch_client(bank, grace=6)
    set_aum(client, 100 * WAN)
    first = recompute(date(2026, 2, 1))
    second = recompute(date(2026, 2, 1))
    assert (first.rows_updated, second.rows_updated, second.downgrades) == (1, 0, 0)
    assert fresh(client).tier_below_since == date(2026, 2, 1)


def test_grace_counts_whole_months_of_average_on_the_monthly_basis(bank):
    policy(basis=TierBasis.MONTHLY_AVERAGE, grace=2)
    client = ClientFactory(org_unit=bank.north, aum=3000 * WAN)
    snapshots(client, (date(2025, 12, 31), 3000 * WAN), (date(2026, 1, 1), 800 * WAN))
    recompute(date(2026, 1, 2))   # December at 3000万: 分行级
    recompute(date(2026, 2, 1))   # January below: one month, held
    recompute(date(2026, 2, 27))  # nothing new within February
    assert (fresh(client).tier, fresh(client).tier_below_since) == (Tier.BRANCH, date(2026, 1, 1))
    run = recompute(date(2026, 3, 1))   # February below too: two months
    change = last_change(client)
    assert (fresh(client).tier, run.downgrades, change.months_below, change.basis) == (
        Tier.SUB_BRANCH, 1, 2, TierBasis.MONTHLY_AVERAGE)
    assert change.rule == "降级（连续 2 个月低于门槛） · 按上月月日均"


def test_a_long_held_client_goes_straight_to_the_tier_of_its_basis(bank):
    policy(grace=1)
    client = ClientFactory(org_unit=bank.north, aum=2 * YI)
    recompute(date(2026, 1, 1))
    set_aum(client, 10 * WAN)
    recompute(date(2026, 1, 2))
    recompute(date(2026, 2, 2))
    change = last_change(client)
    assert (change.from_tier, change.to_tier, change.months_below) == (Tier.HEAD_OFFICE, Tier.SUB_BRANCH, 1)


# --- the default policy -------------------------------------------------------------------------------------

def test_the_default_policy_is_the_latest_balance_without_grace(db):
    default = TierPolicy.objects.get(effective_from=date(2000, 1, 1))
    assert (default.tier_basis, default.downgrade_grace_months) == (TierBasis.LATEST, 0)


def test_the_default_policy_downgrades_at_once_and_keeps_no_counter(bank):
    client = ClientFactory(org_unit=bank.north, aum=2 * YI)
    snapshots(client, (date(2026, 1, 31), 10 * WAN))   # snapshots play no part on the latest balance
    recompute(date(2026, 3, 1))
    set_aum(client, 10 * WAN)
    run = recompute(date(2026, 3, 2))
    change = last_change(client)
    assert (fresh(client).tier, fresh(client).tier_below_since, run.downgrades) == (Tier.SUB_BRANCH, None, 1)
    assert (change.basis, change.basis_aum, change.months_below, change.rule) == (
        TierBasis.LATEST, 10 * WAN, 0, "降级")


def test_a_policy_dropping_the_grace_downgrades_the_held_clients(bank):
    client = branch_client(bank, grace=6)
    set_aum(client, 100 * WAN)
    recompute(date(2026, 1, 2))
    policy(grace=0, effective_from=date(2026, 2, 1))
    recompute(date(2026, 2, 1))
    assert (fresh(client).tier, fresh(client).tier_below_since, last_change(client).months_below) == (
        Tier.SUB_BRANCH, None, 0)


# --- head office edits the basis and the grace ---------------------------------------------------------------

def test_head_office_sets_basis_and_grace_through_the_api_and_they_carry_over(bank, api_as):
    api = api_as(bank.head_office)
    body = {"effective_from": "2027-01-01", "head_office_floor": "100000000", "branch_floor": "20000000",
            "near_threshold_margin": "0.10", "tier_basis": "monthly_average", "downgrade_grace_months": 6}
    response = api.post("/api/v1/tier-policies/", body, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["tier_basis"], response.json()["downgrade_grace_months"]) == ("monthly_average", 6)
    later = {k: v for k, v in body.items() if k not in ("tier_basis", "downgrade_grace_months")}
    response = api.post("/api/v1/tier-policies/", {**later, "effective_from": "2027-06-01"}, format="json")
    assert (response.json()["tier_basis"], response.json()["downgrade_grace_months"]) == ("monthly_average", 6)


@pytest.mark.parametrize(("change", "field"), [
    ({"tier_basis": "daily"}, "tier_basis"),
    ({"downgrade_grace_months": 37}, "downgrade_grace_months"),
    ({"downgrade_grace_months": -1}, "downgrade_grace_months"),
    ({"downgrade_grace_months": "six"}, "downgrade_grace_months"),
])
def test_bad_basis_or_grace_is_400_with_the_field_named(bank, api_as, change, field):
    body = {"effective_from": "2027-01-01", "head_office_floor": "100000000", "branch_floor": "20000000",
            "near_threshold_margin": "0.10", **change}
    response = api_as(bank.head_office).post("/api/v1/tier-policies/", body, format="json")
    assert response.status_code == 400 and field in response.json()


def test_only_head_office_changes_the_basis(bank, api_as):
    body = {"effective_from": "2027-01-01", "head_office_floor": "100000000", "branch_floor": "20000000",
            "near_threshold_margin": "0.10", "tier_basis": "monthly_average"}
    assert api_as(bank.north_manager).post("/api/v1/tier-policies/", body, format="json").status_code == 403
    assert not TierPolicy.objects.filter(effective_from=date(2027, 1, 1)).exists()


def test_head_office_edits_basis_and_grace_on_the_policy_page(bank, web_as):
    web = web_as(bank.head_office)
    page = web.get(reverse("tiers:policy")).content.decode()
    assert "分层口径" in page and "降级宽限月数" in page and "最新余额" in page
    response = web.post(reverse("tiers:policy"), {
        "effective_from": "2027-01-01", "head_office_floor": "100000000", "branch_floor": "20000000",
        "near_threshold_margin": "0.10", "tier_basis": "monthly_average", "downgrade_grace_months": "6"})
    assert response.status_code == 302
    created = TierPolicy.objects.get(effective_from=date(2027, 1, 1))
    assert (created.tier_basis, created.downgrade_grace_months) == (TierBasis.MONTHLY_AVERAGE, 6)
    assert "上月月日均" in web.get(reverse("tiers:policy")).content.decode()


def test_the_policy_page_refuses_a_grace_out_of_range(bank, web_as):
    response = web_as(bank.head_office).post(reverse("tiers:policy"), {
        "effective_from": "2027-01-01", "head_office_floor": "100000000", "branch_floor": "20000000",
        "near_threshold_margin": "0.10", "downgrade_grace_months": "99"})
    assert response.status_code == 200 and "downgrade_grace_months" in response.context["form"].errors
    assert not TierPolicy.objects.filter(effective_from=date(2027, 1, 1)).exists()


# --- history shows the rule ------------------------------------------------------------------------------------

def test_tier_change_api_says_which_rule_moved_the_client(bank, api_as):
    policy(basis=TierBasis.MONTHLY_AVERAGE, grace=1)
    client = ClientFactory(org_unit=bank.north, aum=2 * YI, advisor=bank.centre_advisor)
    snapshots(client, (date(2026, 1, 31), 2 * YI), (date(2026, 2, 1), 3000 * WAN))
    recompute(date(2026, 2, 2))
    recompute(date(2026, 3, 2))
    rows = api_as(bank.head_office).get("/api/v1/tier-changes/", {"client": client.pk}).json()["results"]
    assert [(r["direction"], r["basis"], r["basis_aum"], r["months_below"], r["rule"]) for r in rows] == [
        ("downgrade", "monthly_average", "30000000.00", 1, "降级（连续 1 个月低于门槛） · 按上月月日均"),
        ("upgrade", "monthly_average", "200000000.00", 0, "升级 · 按上月月日均"),
    ]
    assert rows[0]["reason"] == "nightly" and rows[0]["aum"] == "200000000.00"


def test_history_pages_show_the_rule_and_the_average(bank, web_as):
    policy(basis=TierBasis.MONTHLY_AVERAGE)
    client = ClientFactory(org_unit=bank.north, aum=2 * YI, advisor=bank.centre_advisor)
    snapshots(client, (date(2026, 1, 31), 3000 * WAN))
    recompute(date(2026, 2, 2))
    web = web_as(bank.head_office)
    changes = web.get(reverse("tiers:changes")).content.decode()
    assert "升级 · 按上月月日均" in changes and "3,000.00万" in changes
    detail = web.get(reverse("clients:detail", args=[client.pk])).content.decode()
    assert "升级 · 按上月月日均" in detail


# --- the core-banking feed's 月日均 -------------------------------------------------------------------------

def _import_aum(content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from clients import imports
    from clients.tasks import run_import

    job = imports.create_import_job(kind="aum_snapshots", uploaded_file=SimpleUploadedFile("aum.csv", content),
                                    actor=None)
    run_import.apply(kwargs={"job_id": job.pk})
    job.refresh_from_db()
    return job


def test_the_aum_import_reads_the_optional_monthly_average_column(bank):
    ClientFactory(client_no="0001", org_unit=bank.north)
    ClientFactory(client_no="0002", org_unit=bank.north)
    job = _import_aum("客户号,日期,金融资产,月日均\n"
                      "0001,2026-02-28,\"25,000,000.00\",\"21,000,000.50\"\n"
                      "0002,2026-02-28,100,\n"
                      "0002,2026-02-27,100,-5\n".encode())
    assert (job.status, job.created) == ("done", 2)
    assert [(e["row"], e["field"]) for e in job.errors] == [(4, "avg_daily_aum")]
    averages = dict(AumSnapshot.objects.values_list("client__client_no", "avg_daily_aum"))
    assert averages == {"0001": Decimal("21000000.50"), "0002": None}
    # A later file without the column (a day's balances) keeps the month's average already given.
    again = _import_aum(b"client_no,as_of,aum\n0001,2026-02-28,25000000\n")
    assert (again.unchanged, AumSnapshot.objects.get(client__client_no="0001").avg_daily_aum) == (
        1, Decimal("21000000.50"))


def test_the_aum_api_accepts_the_monthly_average(bank, api_as):
    client = ClientFactory(client_no="N0001", org_unit=bank.north)
    api = api_as(bank.head_office)
    response = api.post("/api/v1/aum-snapshots/", {"client_no": "N0001", "as_of": "2026-02-28", "aum": "100",
                                                    "avg_daily_aum": "2500000.00"}, format="json")
    assert response.status_code == 201
    assert AumSnapshot.objects.get(client=client).avg_daily_aum == Decimal("2500000.00")
    bad = api.post("/api/v1/aum-snapshots/", {"client_no": "N0001", "as_of": "2026-02-27", "aum": "100",
                                              "avg_daily_aum": "-1"}, format="json")
    assert bad.status_code == 400 and "avg_daily_aum" in bad.json()
