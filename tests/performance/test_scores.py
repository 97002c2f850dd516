"""Scores (weights, caps, deductions), ranks with ties, echelons and cards, idempotence, concurrency, schedule."""

import datetime as dt
from decimal import Decimal

import pytest
from django_celery_beat.models import PeriodicTask

from performance import services, tasks
from performance.models import EchelonResult, EchelonTarget, KpiTarget, KpiValue, Scorecard, ScoreRule
from tests.concurrency import run_while_the_first_holds_the_lock
from tests.factories import OrgUnitFactory
from tests.performance.conftest import OCTOBER
from tests.performance.factories import at, client_of, contact, snapshot
from wealthcrm.org.choices import OrgKind

SEPTEMBER = services.Period.parse("2026-09")


def card(advisor, period=OCTOBER):
    return Scorecard.objects.get(advisor=advisor, period=period.start)


def only_targets(role="advisor", **targets):
    """Replace the default targets with ``kpi=(target, weight, cap)`` for ``role`` from October."""
    KpiTarget.objects.all().delete()
    for kpi, (target, weight, cap) in targets.items():
        KpiTarget.objects.create(role=role, kpi=kpi, effective_from=OCTOBER.start, target=Decimal(target),
                                 weight=Decimal(weight), cap=Decimal(cap))


def test_score_is_weighted_capped_and_deducted(bank, recompute):
    from performance.models import Complaint

    a = bank.advisor
    c1, c2 = client_of(a, created=at(2025, 1, 1)), client_of(a, created=at(2025, 1, 1))
    snapshot(c1, dt.date(2026, 9, 30), "1000000.00")
    snapshot(c1, dt.date(2026, 10, 31), "1600000.00")
    contact(c1, a, at(2026, 10, 5))
    contact(c2, a, at(2026, 10, 6))
    Complaint.objects.create(client=c1, advisor=a, received_on=dt.date(2026, 10, 9), valid=True)
    ScoreRule.objects.create(effective_from=OCTOBER.start, complaint_deduction=Decimal("3"))
    only_targets(effective_contacts=("1", "10", "1.2"),  # 2 ÷ 1 = 2, capped at 1.2 → 12
                 coverage_rate=("0.5", "20", "1.5"),  # 1.0 ÷ 0.5 = 2, capped at 1.5 → 30
                 aum_growth=("1000000", "30", "1.5"))  # 0.6 → 18
    recompute()
    scorecard = card(a)
    assert (scorecard.score, scorecard.deduction) == (Decimal("57.00"), Decimal("3.00"))  # 12 + 30 + 18 − 3
    # an account manager has no targets here: zero points, still a scorecard
    assert card(bank.account_manager).score == 0


def test_an_outflow_scores_nothing_on_that_line(bank, recompute):
    a = bank.advisor
    c1 = client_of(a, created=at(2025, 1, 1))
    snapshot(c1, dt.date(2026, 9, 30), "5000000.00")
    snapshot(c1, dt.date(2026, 10, 31), "1000000.00")
    contact(c1, a, at(2026, 10, 5))
    only_targets(aum_growth=("1000000", "30", "1.5"), effective_contacts=("1", "10", "1"))
    recompute()
    assert card(a).score == Decimal("10.00")


def test_targets_are_effective_dated(bank, recompute):
    a = bank.advisor
    contact(client_of(a), a, at(2026, 10, 5))
    only_targets(effective_contacts=("1", "10", "1"))
    KpiTarget.objects.create(role="advisor", kpi="effective_contacts", effective_from=dt.date(2026, 11, 1),
                             target=Decimal("1"), weight=Decimal("50"), cap=Decimal("1"))
    recompute()
    assert card(a).score == Decimal("10.00")  # November's weight does not apply to October


def test_ranks_share_ties_within_branch_and_bank(bank, recompute):
    only_targets(effective_contacts=("1", "10", "2"))
    KpiTarget.objects.create(role="account_manager", kpi="effective_contacts", effective_from=OCTOBER.start,
                             target=Decimal("1"), weight=Decimal("10"), cap=Decimal("2"))
    for staff, n in [(bank.centre_advisor, 2), (bank.advisor, 1), (bank.advisor2, 1)]:
        client = client_of(staff)
        for day in range(n):
            contact(client, staff, at(2026, 10, 12 + day))
    recompute()
    ranks = {s.advisor: (s.score, s.rank_in_branch, s.rank_in_bank)
             for s in Scorecard.objects.filter(period=OCTOBER.start)}
    assert ranks == {
        bank.centre_advisor: (Decimal("20.00"), 1, 1),
        bank.advisor: (Decimal("10.00"), 2, 2),
        bank.advisor2: (Decimal("10.00"), 2, 2),
        bank.account_manager: (Decimal("0.00"), 4, 4),
        bank.south_advisor: (Decimal("0.00"), 1, 4),  # alone in the south branch
    }
    assert card(bank.advisor).branch == bank.north
    assert card(bank.south_advisor).branch == bank.south


def test_recompute_is_idempotent(bank, recompute):
    a = bank.advisor
    contact(client_of(a), a, at(2026, 10, 5))
    recompute()
    first = {(v.advisor_id, v.kpi): (v.value, v.computed_at) for v in KpiValue.objects.all()}
    cards = list(Scorecard.objects.values_list("advisor", "score", "rank_in_branch", "rank_in_bank"))
    echelons = list(EchelonResult.objects.values_list("org_unit", "attainment", "echelon", "card"))
    recompute(now=at(2026, 11, 2, 12))
    # unchanged values are not even rewritten
    assert {(v.advisor_id, v.kpi): (v.value, v.computed_at) for v in KpiValue.objects.all()} == first
    assert list(Scorecard.objects.values_list("advisor", "score", "rank_in_branch", "rank_in_bank")) == cards
    assert list(EchelonResult.objects.values_list("org_unit", "attainment", "echelon", "card")) == echelons


def test_a_contact_logged_later_updates_the_value(bank, recompute):
    a = bank.advisor
    client = client_of(a)
    recompute()
    contact(client, a, at(2026, 10, 5))
    recompute()
    assert KpiValue.objects.get(advisor=a, kpi="effective_contacts", period=OCTOBER.start).value == 1


def test_an_advisor_who_left_loses_the_months_scorecard_on_the_next_run(bank, recompute):
    recompute()
    bank.advisor2.is_active = False
    bank.advisor2.save()
    recompute()
    assert not Scorecard.objects.filter(advisor=bank.advisor2).exists()
    assert not KpiValue.objects.filter(advisor=bank.advisor2).exists()


# --- echelons ------------------------------------------------------------------------------------------------

@pytest.fixture
def outlets(bank):
    """Five outlets under the north sub-branch; outlet i gets 4 − i new clients in September and October."""
    units = [bank.north_outlet] + [OrgUnitFactory(code=f"BJ01{k:02d}", name=f"网点{k}", kind=OrgKind.OUTLET,
                                                  parent=bank.north_sub) for k in range(2, 6)]
    EchelonTarget.objects.create(kind="outlet", effective_from=SEPTEMBER.start, client_growth_target=2,
                                 aum_growth_target=Decimal("1000000.00"))
    for i, unit in enumerate(units):
        for month in (9, 10):
            for _ in range(4 - i):
                client_of(bank.account_manager, unit=unit, created=at(2026, month, 10))
    return units


def echelons(units, period):
    rows = {e.org_unit_id: e for e in EchelonResult.objects.filter(period=period.start)}
    return [(rows[u.pk].rank, rows[u.pk].echelon, rows[u.pk].card) for u in units]


def test_echelons_split_units_of_a_kind_into_fifths_with_cards(outlets, recompute):
    recompute(SEPTEMBER, OCTOBER)
    assert echelons(outlets, SEPTEMBER) == [(1, 1, ""), (2, 2, ""), (3, 3, ""), (4, 4, "yellow"), (5, 5, "yellow")]
    # echelon 5 two months running → red card
    assert echelons(outlets, OCTOBER) == [(1, 1, ""), (2, 2, ""), (3, 3, ""), (4, 4, "yellow"), (5, 5, "red")]
    top = EchelonResult.objects.get(org_unit=outlets[0], period=OCTOBER.start)
    assert (top.client_growth, top.attainment) == (4, Decimal("1.0000"))  # (4 ÷ 2 + 0 ÷ 100万) ÷ 2


def test_recomputing_the_earlier_month_updates_the_next_months_card(outlets, recompute):
    recompute(OCTOBER)
    assert echelons(outlets, OCTOBER)[4] == (5, 5, "yellow")  # September unknown yet
    recompute(SEPTEMBER)
    assert echelons(outlets, OCTOBER)[4] == (5, 5, "red")


def test_branches_and_sub_branches_are_ranked_among_their_own_kind(outlets, bank, recompute):
    recompute()
    kinds = dict(EchelonResult.objects.filter(period=OCTOBER.start).values_list("org_unit", "kind"))
    assert kinds[bank.north.pk] == kinds[bank.south.pk] == "branch"
    assert kinds[bank.north_sub.pk] == "sub_branch"
    assert bank.ho.pk not in kinds
    north = EchelonResult.objects.get(org_unit=bank.north, period=OCTOBER.start)
    assert north.client_growth == 10  # the whole subtree's new clients in October
    assert north.rank == 1


# --- the job -------------------------------------------------------------------------------------------------

def test_the_nightly_job_takes_the_previous_month_until_the_fifth():
    def months(day):
        return [str(p) for p in services.periods_to_recompute(day)]

    assert months(dt.date(2026, 11, 5)) == ["2026-10", "2026-11"]
    assert months(dt.date(2026, 11, 6)) == ["2026-11"]
    assert months(dt.date(2026, 1, 3)) == ["2025-12", "2026-01"]


def test_the_schedule_runs_at_two_in_the_morning_shanghai_time(db):
    task = PeriodicTask.objects.get(task="performance.tasks.recompute_scorecards_task")
    assert (task.crontab.hour, task.crontab.minute, str(task.crontab.timezone)) == ("2", "0", "Asia/Shanghai")
    assert task.enabled


def test_the_task_recomputes_the_month_given(bank):
    result = tasks.recompute_scorecards_task.apply(kwargs={"period": "2026-10"}).get()
    assert result == {"periods": ["2026-10"], "scorecards": 5}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_runs_never_both_write(bank):
    client = client_of(bank.advisor)
    contact(client, bank.advisor, at(2026, 10, 5))
    first, second = run_while_the_first_holds_the_lock(  # 2%: the lock is taken, nothing written yet
        lambda progress: services.recompute_scorecards(OCTOBER, progress=progress, now=at(2026, 11, 2)), holding_at=2)
    assert first == second == {"periods": ["2026-10"], "scorecards": 5}
    assert Scorecard.objects.count() == 5
    assert KpiValue.objects.get(advisor=bank.advisor, kpi="effective_contacts").value == 1
