"""Fixtures of the monthly report: a small bank's clients now and in a past month, referrals, a file store."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from clients.models import AumSnapshot
from performance.reports import services
from performance.reports.models import MonthlyReport
from referrals.choices import ReferralAction
from referrals.services import transition
from tests.factories import ClientFactory
from tests.referrals.factories import at, submit
from tiers.models import TierChange

# A closed month that is history for any run of the suite; the referral fixtures of the suite live in it too.
PAST = dt.date(2025, 3, 1)


@pytest.fixture(autouse=True)
def report_files(settings, tmp_path):
    """Report files go to a throw-away MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _change(client, from_tier, to_tier, direction, aum, day):
    return TierChange.objects.create(client=client, from_tier=from_tier, to_tier=to_tier, direction=direction,
                                     aum=Decimal(aum), effective_date=day, reason="nightly")


@pytest.fixture
def book(bank):
    """Clients in both branches and at the head office itself, with history for :data:`PAST`.

    In March 2025: ``climber`` was 分行级 with 3000万 (moved up in February, again in April); ``waiting`` was
    支行级 with 1900万, near the 2000万 floor (upgraded only in May); ``steady`` 支行级 with 500万; ``newcomer``
    did not exist yet. ``tricky`` has formula-like text in every text column.
    """
    climber = ClientFactory(org_unit=bank.north, advisor=bank.centre_advisor, client_no="N1001", name="王总",
                            tier="head_office", aum=Decimal("150000000.00"), value_segment="A")
    waiting = ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, client_no="N1002", name="李娜",
                            tier="branch", aum=Decimal("21000000.50"), value_segment="C")
    steady = ClientFactory(org_unit=bank.north_outlet, advisor=bank.account_manager, client_no="N1003",
                           name="赵敏", tier="sub_branch", aum=Decimal("5000000.01"), near_threshold=False,
                           acquisition_channel="hall")
    south = ClientFactory(org_unit=bank.south_sub, advisor=bank.south_advisor, client_no="S1001", name="张强",
                          tier="sub_branch", aum=Decimal("18500000.99"), near_threshold=True, value_segment="B")
    newcomer = ClientFactory(org_unit=bank.south, advisor=None, client_no="S1002", name="孙丽",
                             tier="sub_branch", aum=Decimal("0.00"))
    at_head_office = ClientFactory(org_unit=bank.ho, advisor=None, client_no="H1001", name="周杰",
                                   tier="branch", aum=Decimal("33333333.33"))
    tricky = ClientFactory(org_unit=bank.south_sub, advisor=bank.south_advisor, client_no="-S1003",
                           name="=HYPERLINK(\"http://x\")", tier="sub_branch", aum=Decimal("12.34"))
    bank.south_advisor.display_name = "@顾问"
    bank.south_advisor.save()
    for client, day, aum in [
        (climber, dt.date(2025, 2, 28), "25000000.00"), (climber, dt.date(2025, 3, 31), "30000000.00"),
        (climber, dt.date(2025, 4, 30), "150000000.00"),
        (waiting, dt.date(2025, 3, 15), "19000000.00"), (waiting, dt.date(2025, 5, 31), "21000000.50"),
        (steady, dt.date(2025, 1, 31), "5000000.01"),
        (south, dt.date(2025, 3, 31), "18500000.99"), (tricky, dt.date(2025, 3, 31), "12.34"),
        (at_head_office, dt.date(2025, 3, 10), "33333333.33"),
    ]:
        AumSnapshot.objects.create(client=client, as_of=day, aum=Decimal(aum))
    _change(climber, "sub_branch", "branch", "upgrade", "25000000.00", dt.date(2025, 2, 28))
    _change(climber, "branch", "head_office", "upgrade", "150000000.00", dt.date(2025, 4, 30))
    _change(waiting, "sub_branch", "branch", "upgrade", "21000000.50", dt.date(2025, 5, 31))
    # a March move each way, one per branch
    _change(south, "branch", "sub_branch", "downgrade", "18500000.99", dt.date(2025, 3, 31))
    _change(at_head_office, "sub_branch", "branch", "upgrade", "33333333.33", dt.date(2025, 3, 10))
    return SimpleNamespace(climber=climber, waiting=waiting, steady=steady, south=south, newcomer=newcomer,
                           at_head_office=at_head_office, tricky=tricky)


@pytest.fixture
def referrals(bank):
    """March 2025: two referrals from the north outlet (one followed up in time), one from the south."""
    first = submit(bank.hall, advisor=bank.advisor, now=at(2025, 3, 3, 10), channel="hall")
    second = submit(bank.hall, advisor=bank.advisor, now=at(2025, 3, 4, 10), prospect_name="李四")
    south = submit(bank.south_hall, advisor=bank.south_advisor, now=at(2025, 3, 5, 10), prospect_name="王五")
    transition(referral_id=first.pk, action=ReferralAction.CONTACT, actor=bank.advisor, now=at(2025, 3, 3, 15),
               note="已电话联系", channel="phone")
    return [first, second, south]


@pytest.fixture
def build(bank):
    """``build(month, fmt)`` → a finished MonthlyReport, built by the service as the task does."""

    def run(month, fmt, by=None):
        report = MonthlyReport.objects.create(month=month, format=fmt, requested_by=by or bank.head_office)
        return services.build_monthly_report(report_id=report.pk)

    return run
