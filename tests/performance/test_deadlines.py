"""Open-referral deadlines on the home page and the dashboard: "due later today" is the bank's day from now."""

import datetime as dt

import pytest

from performance import dashboards, selectors
from referrals import services as referral_services
from referrals.models import Referral
from wealthcrm.calendar.services import BANK_TZ

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 4, 10, 0, tzinfo=BANK_TZ)


def _due(bank, name, due_at, *, breached=False):
    referral = referral_services.submit_referral(referrer=bank.hall, prospect_name=name, advisor=bank.advisor)
    Referral.objects.filter(pk=referral.pk).update(sla_due_at=due_at, sla_breached=breached)


def test_due_later_today_runs_from_now_to_the_end_of_the_banks_day(bank):
    _due(bank, "早上已过", NOW - dt.timedelta(hours=1), breached=True)
    _due(bank, "今天稍后", NOW + dt.timedelta(minutes=1))
    _due(bank, "今天最后一刻", dt.datetime(2026, 12, 4, 23, 59, 59, tzinfo=BANK_TZ))
    _due(bank, "明天零点", dt.datetime(2026, 12, 5, 0, 0, tzinfo=BANK_TZ))
    _due(bank, "UTC 同日但北京已是明天", dt.datetime(2026, 12, 4, 16, 30, tzinfo=dt.UTC))
    figures = dashboards.referral_deadlines(Referral.objects.all(), bank.ho, now=NOW)
    assert figures == {"breached": 1, "due_today": 2}
    assert dashboards.referral_deadlines(Referral.objects.all(), bank.south, now=NOW) == {"breached": 0, "due_today": 0}


def test_the_managers_home_counts_the_same_deadlines(bank, monkeypatch):
    _due(bank, "今天稍后", NOW + dt.timedelta(hours=2))
    _due(bank, "明天", NOW + dt.timedelta(days=1))
    monkeypatch.setattr(selectors.timezone, "now", lambda: NOW)
    counts = selectors.manager_overview(bank.north_manager)["referral_counts"]
    assert counts == {"open": 2, "breached": 0, "due_today": 1}
