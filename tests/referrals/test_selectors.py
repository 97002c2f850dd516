import datetime as dt

import pytest

from referrals.models import Referral
from referrals.selectors import funnel_by_org_unit, signed_referral_credit
from referrals.services import transition
from tests.referrals.factories import at, submit

pytestmark = pytest.mark.django_db


def _signed(referrer, advisor, when):
    r = submit(referrer, advisor=advisor, now=when - dt.timedelta(days=2))
    transition(referral_id=r.pk, action="contact", actor=advisor, now=when - dt.timedelta(days=1))
    return transition(referral_id=r.pk, action="sign", actor=advisor, now=when)


def test_signed_referral_counts_for_referrer_and_advisor(bank, django_assert_num_queries):
    _signed(bank.hall, bank.advisor, at(2025, 3, 10, 10))
    closed = _signed(bank.hall, bank.advisor2, at(2025, 3, 20, 10))
    transition(referral_id=closed.pk, action="close", actor=bank.advisor2, now=at(2025, 3, 25, 10))
    _signed(bank.account_manager, bank.advisor, at(2025, 3, 31, 23, 30))   # still March in Shanghai
    _signed(bank.hall, bank.advisor, at(2025, 4, 1, 0, 30))                 # April: out of the period
    unsigned = submit(bank.hall, advisor=bank.advisor, now=at(2025, 3, 12, 10))
    assert unsigned.signed_at is None
    with django_assert_num_queries(1):
        rows = {(r["staff_id"], r["role_in_referral"]): r["count"]
                for r in signed_referral_credit(dt.date(2025, 3, 1), dt.date(2025, 3, 31))}
    assert rows == {
        (bank.hall.pk, "referrer"): 2,
        (bank.account_manager.pk, "referrer"): 1,
        (bank.advisor.pk, "advisor"): 2,
        (bank.advisor2.pk, "advisor"): 1,
    }


def test_funnel_and_sla_rate_per_org_unit(bank, django_assert_num_queries):
    on_time = submit(bank.hall, advisor=bank.advisor, now=at(2025, 3, 3, 10))
    transition(referral_id=on_time.pk, action="contact", actor=bank.advisor, now=at(2025, 3, 4, 10))
    late = submit(bank.hall, advisor=bank.advisor, now=at(2025, 3, 3, 10))
    transition(referral_id=late.pk, action="contact", actor=bank.advisor, now=at(2025, 3, 5, 10))
    submit(bank.hall, advisor=bank.advisor, now=at(2025, 3, 3, 10))  # overdue, never contacted
    submit(bank.south_hall, advisor=bank.south_advisor, now=at(2025, 3, 3, 10))
    with django_assert_num_queries(2):  # the GROUP BY, then the units' names
        rows = funnel_by_org_unit(Referral.objects.filter(org_unit=bank.north_outlet), now=at(2025, 3, 10, 9))
    assert len(rows) == 1
    row = rows[0]
    assert (row["total"], row["contacted"], row["sla_met"], row["sla_due"]) == (3, 2, 1, 3)
    assert row["sla_rate"] == 33.3
