"""Issue 21 item 3: a breach stays on the advisor who breached; a reassignment starts a new clock for the new
advisor, and both turns count in the SLA figures (funnel, dashboard, scorecards) and in the API's ``breaches``."""

import pytest
from django.db.models import F

from performance import services as performance
from performance.choices import KpiCode
from performance.models import KpiValue
from referrals.models import Referral, ReferralAssignment, sla_counted_q, sla_counts
from referrals.selectors import funnel_by_org_unit
from referrals.services import check_sla, transition
from tests.referrals.factories import at, submit

pytestmark = pytest.mark.django_db

MARCH = performance.Period.parse("2025-03")


def _breach_then_reassign(bank, referral):
    """Due 2025-03-04 18:00: breached by the first advisor, flagged by the job, then reassigned on the 5th."""
    check_sla(now=at(2025, 3, 5, 9))
    return transition(referral_id=referral.pk, action="reassign", actor=bank.north_manager, advisor=bank.advisor2,
                      now=at(2025, 3, 5, 10))


def test_reassignment_keeps_the_first_advisors_breach_and_starts_a_new_clock(bank, referral):
    r = _breach_then_reassign(bank, referral)
    first, second = ReferralAssignment.objects.filter(referral=referral).order_by("assigned_at")
    assert (first.advisor, first.due_at, first.breached_at, first.ended_at) == (
        bank.advisor, at(2025, 3, 4, 18), at(2025, 3, 5, 9), at(2025, 3, 5, 10))
    assert (second.advisor, second.due_at, second.breached_at, second.ended_at) == (
        bank.advisor2, at(2025, 3, 6, 18), None, None)
    # the referral shows the current clock; the breach is on the record
    assert r.sla_due_at == at(2025, 3, 6, 18) and not r.sla_breached
    assert [b.advisor for b in r.breaches] == [bank.advisor]


def test_a_deadline_missed_before_the_job_ran_is_still_the_outgoing_advisors_breach(bank, referral):
    transition(referral_id=referral.pk, action="reassign", actor=bank.north_manager, advisor=bank.advisor2,
               now=at(2025, 3, 5, 8))  # the 15-minute job has not flagged it
    first = ReferralAssignment.objects.filter(referral=referral, advisor=bank.advisor).get()
    assert first.breached_at == at(2025, 3, 5, 8)


def test_reassignment_before_the_deadline_is_nobodys_breach(bank, referral):
    transition(referral_id=referral.pk, action="reassign", actor=bank.north_manager, advisor=bank.advisor2,
               now=at(2025, 3, 3, 15))
    transition(referral_id=referral.pk, action="contact", actor=bank.advisor2, now=at(2025, 3, 4, 9))
    rows = funnel_by_org_unit(Referral.objects.all(), now=at(2025, 3, 10, 9))
    assert (rows[0]["sla_met"], rows[0]["sla_due"], rows[0]["breached"]) == (1, 1, 0)
    assert not ReferralAssignment.objects.filter(breached_at__isnull=False).exists()


def test_both_advisors_count_in_the_funnel_sla(bank, referral, django_assert_num_queries):
    _breach_then_reassign(bank, referral)
    transition(referral_id=referral.pk, action="contact", actor=bank.advisor2, now=at(2025, 3, 6, 9))
    with django_assert_num_queries(2):  # the GROUP BY, then the units' names
        rows = funnel_by_org_unit(Referral.objects.all(), now=at(2025, 3, 10, 9))
    row = rows[0]
    # one referral, two turns: one breached, one followed up in time
    assert (row["total"], row["contacted"], row["breached"], row["sla_met"], row["sla_due"]) == (1, 1, 1, 1, 2)
    assert row["sla_rate"] == 50.0


def test_a_referral_without_a_recorded_turn_still_counts_once(bank, referral):
    """Counts read each referral on its current turn; one loaded with no turn at all (a feed) is not lost."""
    submit(bank.hall, advisor=bank.advisor2, prospect_name="李四", now=at(2025, 3, 3, 11))
    ReferralAssignment.objects.filter(referral=referral).delete()
    rows = funnel_by_org_unit(Referral.objects.all(), now=at(2025, 3, 10, 9))
    assert (rows[0]["total"], rows[0]["recommended"], rows[0]["sla_due"]) == (2, 2, 1)


def test_both_advisors_count_in_the_scorecards(bank, referral):
    _breach_then_reassign(bank, referral)
    transition(referral_id=referral.pk, action="contact", actor=bank.advisor2, now=at(2025, 3, 6, 9))
    performance.recompute_scorecards([MARCH], now=at(2025, 4, 2, 9))
    rate = dict(KpiValue.objects.filter(kpi=KpiCode.REFERRAL_SLA_RATE, period=MARCH.start)
                .values_list("advisor__username", "value"))
    assert rate[bank.advisor.username] == 0  # the breach stays on the first advisor
    assert rate[bank.advisor2.username] == 1


def test_a_handover_after_the_follow_up_has_no_clock(bank, referral):
    transition(referral_id=referral.pk, action="contact", actor=bank.advisor, now=at(2025, 3, 4, 9))
    r = transition(referral_id=referral.pk, action="reassign", actor=bank.north_manager, advisor=bank.advisor2,
                   now=at(2025, 3, 10, 9))
    assert r.contacted_at == at(2025, 3, 4, 9) and r.sla_due_at == at(2025, 3, 4, 18)
    current = ReferralAssignment.objects.get(referral=referral, ended_at__isnull=True)
    assert current.advisor == bank.advisor2 and current.due_at is None
    rows = funnel_by_org_unit(Referral.objects.all(), now=at(2025, 3, 20, 9))
    assert (rows[0]["sla_met"], rows[0]["sla_due"]) == (1, 1)


def test_the_api_lists_the_breaches_to_the_advisor_and_not_to_the_referrer(bank, referral, api_as):
    _breach_then_reassign(bank, referral)
    body = api_as(bank.advisor2).get(f"/api/v1/referrals/{referral.pk}/").json()
    assert body["breaches"] == [{
        "advisor": bank.advisor.pk, "advisor_name": str(bank.advisor),
        "assigned_at": "2025-03-03T10:00:00+08:00", "due_at": "2025-03-04T18:00:00+08:00",
        "breached_at": "2025-03-05T09:00:00+08:00"}]
    assert body["sla_breached"] is False and body["sla_due_at"] == "2025-03-06T18:00:00+08:00"
    assert "breaches" not in api_as(bank.hall).get(f"/api/v1/referrals/{referral.pk}/").json()


def test_the_referral_list_reads_breaches_in_constant_queries(bank, api_as, django_assert_max_num_queries):
    for _ in range(3):
        r = submit(bank.hall, advisor=bank.advisor, now=at(2025, 3, 3, 10))
        check_sla(now=at(2025, 3, 5, 9))
        transition(referral_id=r.pk, action="reassign", actor=bank.north_manager, advisor=bank.advisor2,
                   now=at(2025, 3, 5, 10))
    api = api_as(bank.north_manager)
    with django_assert_max_num_queries(12) as few:
        api.get("/api/v1/referrals/")
    submit(bank.hall, advisor=bank.advisor, now=at(2025, 3, 3, 10))
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = api.get("/api/v1/referrals/").json()
    assert sum(len(row["breaches"]) for row in body["results"]) == 3


def test_the_detail_page_shows_each_advisors_turn(bank, referral, web_as):
    from django.urls import reverse

    _breach_then_reassign(bank, referral)
    page = web_as(bank.north_manager).get(reverse("referrals:detail", args=[referral.pk]))
    assert [t.advisor for t in page.context["turns"]] == [bank.advisor, bank.advisor2]
    assert "超时" in page.content.decode()
    hall = web_as(bank.hall).get(reverse("referrals:detail", args=[referral.pk]))
    assert "turns" not in hall.context  # the referrer sees status only


def test_the_data_migration_gives_each_existing_referral_its_turn(bank):
    import importlib

    from django.db import connection

    backfill = importlib.import_module("referrals.migrations.0004_referral_assignment").BACKFILL
    on_time = submit(bank.hall, advisor=bank.advisor, now=at(2025, 3, 3, 10))
    transition(referral_id=on_time.pk, action="contact", actor=bank.advisor, now=at(2025, 3, 4, 9))
    flagged = submit(bank.hall, advisor=bank.advisor2, now=at(2025, 3, 3, 10))
    check_sla(now=at(2025, 3, 5, 9))
    late = submit(bank.hall, advisor=bank.advisor, now=at(2025, 3, 3, 10))
    transition(referral_id=late.pk, action="contact", actor=bank.advisor, now=at(2025, 3, 6, 9))
    expected = {t.referral_id: (t.advisor_id, t.assigned_at, t.due_at, t.followed_up_at, t.breached_at is not None)
                for t in ReferralAssignment.objects.all()}
    ReferralAssignment.objects.all().delete()  # referrals as they stood before the migration
    with connection.cursor() as cursor:
        cursor.execute(backfill)
    got = {t.referral_id: (t.advisor_id, t.assigned_at, t.due_at, t.followed_up_at, t.breached_at is not None)
           for t in ReferralAssignment.objects.all()}
    assert got == expected and len(got) == 3
    assert got[flagged.pk][4] and got[late.pk][4] and not got[on_time.pk][4]


def _counted_from_turns(now) -> dict:
    """The SLA figures counted turn by turn (``sla_counted_q``): what the referral's kept figures must equal."""
    counted = ReferralAssignment.objects.filter(sla_counted_q(now))
    met = counted.filter(followed_up_at__lte=F("due_at")).count()
    return {"sla_due": counted.count(), "sla_met": met, "breached": counted.count() - met}


def test_the_referrals_kept_turn_figures_equal_counting_the_turns_at_every_step(bank, referral):
    """Every way a turn changes (submit, contact, the SLA job, reassignment before and after the deadline, a
    handover after the follow-up) and a full save of a stale referral keep ``sla_counts`` equal to the turns."""
    other = submit(bank.hall, advisor=bank.advisor, prospect_name="王五", now=at(2025, 3, 3, 11))
    late = submit(bank.hall, advisor=bank.advisor2, prospect_name="赵六", now=at(2025, 3, 3, 12))
    steps = [
        lambda: transition(referral_id=other.pk, action="reassign", actor=bank.north_manager, advisor=bank.advisor2,
                           now=at(2025, 3, 3, 15)),  # before its deadline: nobody's turn counts
        lambda: check_sla(now=at(2025, 3, 5, 9)),  # flags the breaches of the 4th
        lambda: _breach_then_reassign(bank, referral),
        lambda: transition(referral_id=referral.pk, action="contact", actor=bank.advisor2, now=at(2025, 3, 6, 9)),
        lambda: transition(referral_id=late.pk, action="contact", actor=bank.advisor2, now=at(2025, 3, 6, 10)),
        lambda: transition(referral_id=late.pk, action="reassign", actor=bank.north_manager, advisor=bank.advisor,
                           now=at(2025, 3, 7, 10)),  # handed over after the follow-up: no clock
    ]
    for moment in (at(2025, 3, 4, 12), at(2025, 3, 4, 19), at(2025, 3, 10, 9)):
        assert _kept(moment) == _counted_from_turns(moment)
    for step in steps:
        step()
        for moment in (at(2025, 3, 4, 19), at(2025, 3, 6, 19), at(2025, 3, 10, 9)):
            assert _kept(moment) == _counted_from_turns(moment)
    stale = Referral.objects.get(pk=other.pk)
    ReferralAssignment.objects.filter(referral=other, ended_at__isnull=True).update(followed_up_at=at(2025, 3, 4, 9))
    stale.save()  # writes the figures it loaded before the follow-up: the trigger recomputes them
    assert _kept(at(2025, 3, 10, 9)) == _counted_from_turns(at(2025, 3, 10, 9))


def _kept(now) -> dict:
    return Referral.objects.aggregate(**sla_counts(now))
