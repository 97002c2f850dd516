"""sla_due_at = 18:00 Asia/Shanghai on the next business day after the recommendation's local date."""

import datetime as dt

import pytest

from tests.referrals.factories import SH, at, submit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("submitted", "due"),
    [
        (at(2025, 3, 4, 10, 0), at(2025, 3, 5, 18)),      # Tuesday → Wednesday
        (at(2025, 3, 7, 9, 0), at(2025, 3, 10, 18)),      # Friday → Monday
        (at(2025, 3, 8, 11, 0), at(2025, 3, 10, 18)),     # Saturday → Monday
        (at(2025, 3, 9, 16, 0), at(2025, 3, 10, 18)),     # Sunday → Monday
        (at(2025, 3, 4, 19, 30), at(2025, 3, 5, 18)),     # after close still counts by the local date
        (at(2025, 3, 7, 23, 59), at(2025, 3, 10, 18)),    # Friday night → Monday
        (at(2025, 9, 30, 10, 0), at(2025, 10, 9, 18)),    # eve of National Day + Mid-Autumn (10-01..10-08 off)
        (at(2025, 1, 27, 15, 0), at(2025, 2, 5, 18)),     # eve of Spring Festival 2025 (01-28..02-04 off)
        (at(2025, 9, 28, 10, 0), at(2025, 9, 29, 18)),    # 调休 Sunday is a working day; next one is Monday
        (at(2025, 9, 27, 10, 0), at(2025, 9, 28, 18)),    # Saturday before the 调休 Sunday → due that Sunday
        (at(2024, 4, 30, 17, 0), at(2024, 5, 6, 18)),     # Labour Day 2024 (05-01..05-05 off)
    ],
)
def test_due_at_close_of_next_business_day(bank, submitted, due):
    referral = submit(bank.hall, advisor=bank.advisor, now=submitted)
    assert referral.sla_due_at == due
    assert referral.recommended_at == submitted


def test_utc_instant_counts_by_its_shanghai_date(bank):
    # 2025-03-03 17:30 UTC is already Tuesday 01:30 in Shanghai → due Wednesday.
    submitted = dt.datetime(2025, 3, 3, 17, 30, tzinfo=dt.UTC)
    referral = submit(bank.hall, advisor=bank.advisor, now=submitted)
    assert referral.sla_due_at.astimezone(SH) == at(2025, 3, 5, 18)
