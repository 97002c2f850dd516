from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clients.models import Client, Contact, ProductSale
from tests.concurrency import run_while_the_first_holds_the_lock
from tests.factories import ClientFactory
from tests.tiers.conftest import AS_OF
from tests.tiers.factories import TierPolicyFactory
from tiers import services
from tiers.choices import Direction, RunStatus
from tiers.models import TierChange, TierPolicy, TierRun
from tiers.selectors import monthly_change_counts, monthly_change_series
from wealthcrm.tiering import Tier, ValueSegment

YI = Decimal("100000000.00")
WAN_2000 = Decimal("20000000.00")
FEN = Decimal("0.01")


def tier_of(client):
    client.refresh_from_db()
    return client.tier


# --- boundaries -------------------------------------------------------------------------------------------

def test_exactly_one_yi_is_head_office_tier(bank, recompute):
    client = ClientFactory(org_unit=bank.north, aum=YI)
    recompute()
    assert tier_of(client) == Tier.HEAD_OFFICE


def test_one_fen_below_one_yi_is_branch_tier(bank, recompute):
    client = ClientFactory(org_unit=bank.north, aum=YI - FEN)
    recompute()
    assert tier_of(client) == Tier.BRANCH


def test_exactly_2000_wan_is_branch_tier(bank, recompute):
    client = ClientFactory(org_unit=bank.north_sub, aum=WAN_2000)
    recompute()
    assert tier_of(client) == Tier.BRANCH


def test_one_fen_below_2000_wan_is_sub_branch_tier(bank, recompute):
    client = ClientFactory(org_unit=bank.north_sub, aum=WAN_2000 - FEN, tier=Tier.BRANCH)
    recompute()
    assert tier_of(client) == Tier.SUB_BRANCH


@pytest.mark.parametrize(("aum", "near"), [
    (Decimal("18000000.00"), True),       # exactly 10% below 2000万: inclusive
    (Decimal("17999999.99"), False),
    (WAN_2000 - FEN, True),
    (WAN_2000, False),                    # reached the branch floor, the next floor is 1亿
    (Decimal("90000000.00"), True),
    (Decimal("89999999.99"), False),
    (YI, False),                          # top tier: nothing above
])
def test_near_threshold_is_within_the_margin_below_the_next_floor(bank, recompute, aum, near):
    client = ClientFactory(org_unit=bank.north, aum=aum)
    recompute()
    client.refresh_from_db()
    assert client.near_threshold is near


# --- policy ---------------------------------------------------------------------------------------------------

def test_policy_change_takes_effect_on_its_date(bank, recompute):
    client = ClientFactory(org_unit=bank.north_sub, aum=Decimal("15000000.00"))
    TierPolicyFactory(effective_from=date(2026, 4, 1), branch_floor=Decimal("15000000.00"))
    recompute(as_of=date(2026, 3, 31))
    assert tier_of(client) == Tier.SUB_BRANCH
    run = recompute(as_of=date(2026, 4, 1))
    assert tier_of(client) == Tier.BRANCH
    change = TierChange.objects.get(client=client)
    assert (change.effective_date, change.run, run.policy.effective_from) == (date(2026, 4, 1), run, date(2026, 4, 1))


def test_effective_on_picks_the_latest_policy_not_after_the_day(db):
    TierPolicyFactory(effective_from=date(2026, 4, 1))
    assert TierPolicy.objects.effective_on(date(2026, 3, 31)).effective_from == date(2000, 1, 1)
    assert TierPolicy.objects.effective_on(date(2026, 4, 1)).effective_from == date(2026, 4, 1)


def test_default_policy_comes_from_the_data_migration(db):
    policy = TierPolicy.objects.get(effective_from=date(2000, 1, 1))
    assert (policy.head_office_floor, policy.branch_floor, policy.near_threshold_margin) == (
        YI, WAN_2000, Decimal("0.1000"))


@pytest.mark.parametrize(("fields", "field"), [
    ({"head_office_floor": WAN_2000, "branch_floor": WAN_2000}, "head_office_floor"),
    ({"branch_floor": Decimal("0.00")}, "branch_floor"),
    ({"near_threshold_margin": Decimal("1")}, "near_threshold_margin"),
    ({"near_threshold_margin": Decimal("-0.01")}, "near_threshold_margin"),
    ({"effective_from": date(2000, 1, 1)}, "effective_from"),
])
def test_invalid_policy_is_refused_with_the_field_named(bank, fields, field):
    values = {"effective_from": date(2027, 1, 1), "head_office_floor": YI, "branch_floor": WAN_2000,
              "near_threshold_margin": Decimal("0.10"), **fields}
    with pytest.raises(ValidationError) as caught:
        services.create_policy(actor=bank.head_office, **values)
    assert field in caught.value.message_dict


# --- history, idempotency -------------------------------------------------------------------------------

def test_second_run_on_the_same_data_changes_nothing(bank, recompute):
    ClientFactory.create_batch(3, org_unit=bank.north, aum=YI)
    ClientFactory.create_batch(2, org_unit=bank.north_sub, aum=Decimal("19000000.00"))
    first = recompute()
    assert (first.rows_updated, first.upgrades, first.clients_total) == (5, 3, 5)
    second = recompute()
    assert (second.rows_updated, second.upgrades, second.downgrades) == (0, 0, 0)
    assert TierChange.objects.count() == 3


def test_only_changed_rows_are_updated(bank, recompute):
    stays = ClientFactory(org_unit=bank.north_sub, aum=Decimal("100.00"))
    recompute()
    stamp = Client.objects.filter(pk=stays.pk).values_list("updated_at", flat=True).get()
    moves = ClientFactory(org_unit=bank.north, aum=YI)
    run = recompute()
    assert run.rows_updated == 1
    assert tier_of(moves) == Tier.HEAD_OFFICE
    assert Client.objects.filter(pk=stays.pk).values_list("updated_at", flat=True).get() == stamp


def test_history_counts_upgrades_and_downgrades_per_month(bank, recompute):
    a = ClientFactory(org_unit=bank.north, aum=WAN_2000)
    b = ClientFactory(org_unit=bank.north, aum=YI)
    recompute(as_of=date(2026, 1, 31))           # a: up to branch, b: up to head office
    Client.objects.filter(pk=b.pk).update(aum=Decimal("30000000.00"))
    recompute(as_of=date(2026, 2, 28))           # b: down to branch
    Client.objects.filter(pk=a.pk).update(aum=Decimal("5.00"))
    Client.objects.filter(pk=b.pk).update(aum=Decimal("6.00"))
    recompute(as_of=date(2026, 2, 28) + timedelta(days=1))   # March: both down to sub-branch
    Client.objects.filter(pk=a.pk).update(aum=YI)
    recompute(as_of=date(2026, 3, 15))           # a: straight up two tiers, one change

    counts = monthly_change_counts(TierChange.objects.all())
    assert counts == [
        {"month": date(2026, 1, 1), "upgrades": 2, "downgrades": 0},
        {"month": date(2026, 2, 1), "upgrades": 0, "downgrades": 1},
        {"month": date(2026, 3, 1), "upgrades": 1, "downgrades": 2},
    ]
    # the chart's series: twelve months to May, the months without changes as 0
    series = monthly_change_series(TierChange.objects.all(), last_month=date(2026, 5, 20))
    assert [row["month"] for row in series] == [date(2025, m, 1) for m in range(6, 13)] + [
        date(2026, m, 1) for m in range(1, 6)]
    assert [(row["upgrades"], row["downgrades"]) for row in series[-5:]] == [(2, 0), (0, 1), (1, 2), (0, 0), (0, 0)]
    assert series[0] == {"month": date(2025, 6, 1), "upgrades": 0, "downgrades": 0}
    jump = TierChange.objects.get(client=a, effective_date=date(2026, 3, 15))
    assert (jump.from_tier, jump.to_tier, jump.direction, jump.aum) == (
        Tier.SUB_BRANCH, Tier.HEAD_OFFICE, Direction.UPGRADE, YI)


def test_run_record_counts_clients_and_changes(bank, recompute):
    ClientFactory.create_batch(2, org_unit=bank.north, aum=YI)
    progress = []
    run = recompute(reason="manual", progress=progress.append)
    assert (run.status, run.reason, run.clients_total, run.upgrades) == (RunStatus.DONE, "manual", 2, 2)
    assert run.finished_at >= run.started_at
    assert progress[-1] == 100 and progress == sorted(progress)


# --- value segment ------------------------------------------------------------------------------------------

def _segment(client):
    client.refresh_from_db()
    return client.value_segment


def test_value_segments_follow_the_source_quadrant(bank, recompute):
    # PRODUCT.md: A 成长期 = current low, potential high; B 培育期 = both high; C 潜力 = current high only; D = neither.
    b = ClientFactory(org_unit=bank.north, aum=Decimal("30000000.00"), investable_assets=Decimal("80000000.00"))
    a = ClientFactory(org_unit=bank.north_sub, aum=Decimal("1000000.00"), investable_assets=Decimal("9000000.00"))
    c = ClientFactory(org_unit=bank.north, aum=Decimal("30000000.00"), investable_assets=Decimal("30000000.00"))
    c2 = ClientFactory(org_unit=bank.north_sub, aum=Decimal("500000.00"), contribution=Decimal("100000.00"))
    d = ClientFactory(org_unit=bank.north_sub, aum=Decimal("500000.00"))
    recompute()
    assert [_segment(x) for x in (a, b, c, c2, d)] == [
        ValueSegment.A, ValueSegment.B, ValueSegment.C, ValueSegment.C, ValueSegment.D]


def test_recent_activity_makes_a_wallet_gap_count_as_potential(bank, recompute):
    # Our share is 60% (not "most elsewhere") and the gap is 200万: potential only with recent activity.
    client = ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, aum=Decimal("3000000.00"),
                           investable_assets=Decimal("5000000.00"))
    recompute()
    assert _segment(client) == ValueSegment.D
    Contact.objects.create(client=client, staff=bank.advisor, channel="phone", purpose="other", effective=True,
                           occurred_at=timezone.make_aware(datetime(2026, 3, 1, 10)))
    recompute()
    assert _segment(client) == ValueSegment.A  # current value low, potential now high: 成长期


def test_old_or_ineffective_activity_does_not_count(bank, recompute):
    client = ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, aum=Decimal("3000000.00"),
                           investable_assets=Decimal("5000000.00"))
    Contact.objects.create(client=client, staff=bank.advisor, channel="phone", purpose="other", effective=False,
                           occurred_at=timezone.make_aware(datetime(2026, 3, 1, 10)))
    ProductSale.objects.create(client=client, sold_on=AS_OF - timedelta(days=90), product_category="fund",
                               amount=Decimal("10.00"))
    recompute()
    assert _segment(client) == ValueSegment.D
    ProductSale.objects.create(client=client, sold_on=AS_OF - timedelta(days=89), product_category="fund",
                               amount=Decimal("10.00"))
    recompute()
    assert _segment(client) == ValueSegment.A


# --- failure and concurrency ---------------------------------------------------------------------------------

def test_run_killed_mid_transaction_leaves_the_previous_state(bank, recompute):
    client = ClientFactory(org_unit=bank.north, aum=YI)

    def die_after_writes(percent):
        if percent == 90:  # the writes are done but not committed
            assert Client.objects.get(pk=client.pk).tier == Tier.HEAD_OFFICE
            raise RuntimeError("worker killed")

    with pytest.raises(RuntimeError, match="worker killed"):
        recompute(progress=die_after_writes)
    assert tier_of(client) == Tier.SUB_BRANCH
    assert not TierChange.objects.exists()
    assert list(TierRun.objects.values_list("status", flat=True)) == [RunStatus.FAILED]
    # the retry converges
    run = recompute()
    assert (tier_of(client), run.upgrades, TierChange.objects.count()) == (Tier.HEAD_OFFICE, 1, 1)


# serialized_rollback: the flush after a transactional test would otherwise drop the default policy.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_runs_never_double_write(bank):
    from wealthcrm.org.models import OrgUnit

    unit = OrgUnit.objects.get(pk=bank.north.pk)
    ClientFactory.create_batch(20, org_unit=unit, aum=YI)
    first, second = run_while_the_first_holds_the_lock(
        lambda progress: services.recompute_tiers(as_of=AS_OF, progress=progress), holding_at=90)
    assert first.upgrades == 20
    assert second.upgrades == 0 and second.rows_updated == 0
    assert TierChange.objects.count() == 20
    assert set(Client.objects.values_list("tier", flat=True)) == {Tier.HEAD_OFFICE}


def test_backfill_records_changes_between_snapshots_once(bank):
    from clients.models import AumSnapshot

    client = ClientFactory(org_unit=bank.north)
    for day, aum in [(date(2025, 1, 31), "1000.00"), (date(2025, 2, 28), "25000000.00"),
                     (date(2025, 3, 31), "26000000.00"), (date(2025, 4, 30), "100.00")]:
        AumSnapshot.objects.create(client=client, as_of=day, aum=Decimal(aum))
    assert services.backfill_history() == 2
    assert services.backfill_history() == 0
    assert list(TierChange.objects.order_by("effective_date").values_list("direction", "effective_date")) == [
        (Direction.UPGRADE, date(2025, 2, 28)), (Direction.DOWNGRADE, date(2025, 4, 30))]



def test_demo_seed_loads_history_once_and_places_clients(bank):
    import io
    import random

    from clients.models import AumSnapshot
    from tiers import demo

    client = ClientFactory(org_unit=bank.north, aum=Decimal("26000000.00"))
    for day, aum in [(date(2025, 1, 31), "1000.00"), (date(2025, 2, 28), "26000000.00")]:
        AumSnapshot.objects.create(client=client, as_of=day, aum=Decimal(aum))
    for _ in range(2):
        demo.seed(stdout=io.StringIO(), rng=random.Random(1), clients=1)
    assert list(TierChange.objects.values_list("reason", "effective_date")) == [("backfill", date(2025, 2, 28))]
    assert tier_of(client) == Tier.BRANCH


def test_the_four_corners_and_the_floor_boundaries(bank, recompute):
    floor, gap = Decimal("20000000.00"), Decimal("1000000.00")  # branch floor; 他行资产 threshold (defaults)
    corners = {
        ValueSegment.B: ClientFactory(org_unit=bank.north, aum=floor, investable_assets=floor * 3),
        ValueSegment.C: ClientFactory(org_unit=bank.north, aum=floor, investable_assets=floor),
        ValueSegment.A: ClientFactory(org_unit=bank.north_sub, aum=floor - Decimal("0.01"),
                                      investable_assets=(floor - Decimal("0.01")) * 2 + gap),
        ValueSegment.D: ClientFactory(org_unit=bank.north_sub, aum=floor - Decimal("0.01"),
                                      investable_assets=floor - Decimal("0.01") + gap - Decimal("0.01")),
    }
    recompute()
    assert {segment: _segment(client) for segment, client in corners.items()} == {s: s for s in corners}
