"""Each KPI against a hand-computed October 2026 (PRODUCT.md "Performance").

The book of advisor A (bank.advisor): c1, c2 (moved over from B mid-month), c4 (new on 8 Oct), c5.
B (bank.advisor2) keeps c3. October 2026 has 18 business days, one of them the 调休 Saturday of 10 Oct.
"""

import datetime as dt
from decimal import Decimal

import pytest

from clients.models import Client
from performance.choices import CATALOGUE, KpiCode
from performance.models import Complaint, KpiValue, Scorecard
from tests.performance.conftest import OCTOBER
from tests.performance.factories import (
    at,
    client_of,
    contact,
    referral,
    sale,
    snapshot,
    tier_change,
)

D = dt.date


def values(advisor, period=OCTOBER):
    return {v.kpi: v.value for v in KpiValue.objects.filter(advisor=advisor, period=period.start)}


@pytest.fixture
def october(bank):
    a, b = bank.advisor, bank.advisor2
    c1 = client_of(a, created=at(2025, 1, 1))
    c2 = client_of(b, created=at(2025, 1, 1))
    c3 = client_of(b, created=at(2025, 1, 1))
    c4 = client_of(a, created=at(2026, 10, 8))
    c5 = client_of(a, created=at(2025, 1, 1))
    # c2 moves from B to A on 20 October: at month end it is A's client.
    Client.objects.filter(pk=c2.pk).update(advisor=a)
    # AUM: c1 +500,000; c2 −200,000; c4 new money +300,000 → A +600,000; c3 unchanged.
    snapshot(c1, D(2026, 9, 30), "1000000.00")
    snapshot(c1, D(2026, 10, 31), "1500000.00")
    snapshot(c1, D(2026, 11, 1), "9000000.00")  # after the period: ignored
    snapshot(c2, D(2026, 9, 30), "2000000.00")
    snapshot(c2, D(2026, 10, 31), "1800000.00")
    snapshot(c4, D(2026, 10, 31), "300000.00")
    snapshot(c3, D(2026, 9, 30), "500000.00")
    snapshot(c3, D(2026, 10, 31), "500000.00")
    # Contacts: the last minute of October counts, the first of November does not.
    contact(c1, a, at(2026, 10, 31, 23, 59))
    contact(c1, a, at(2026, 11, 1, 0, 0))
    contact(c4, a, at(2026, 10, 10), channel="visit")  # on the 调休 Saturday
    contact(c4, a, at(2026, 10, 12), effective=False)
    contact(c2, b, at(2026, 10, 5))  # B made it (still B's client then): B's contact, A's coverage
    # Before the period: c1 last reached 20 Apr (+180 days: due 17 Oct, reached late on 31 Oct);
    # c5 last reached 20 May (due 16 Nov: not due in October).
    contact(c1, a, at(2026, 4, 20))
    contact(c5, a, at(2026, 5, 20))
    # Referrals: one signed (referred by the account manager, followed up by A in time), one late and declined.
    referral(referrer=bank.account_manager, advisor=a, due=at(2026, 10, 9, 17), contacted=at(2026, 10, 8),
             signed=at(2026, 10, 20), name="潜客甲")
    referral(referrer=bank.hall, advisor=a, due=at(2026, 10, 15, 17), contacted=at(2026, 10, 16),
             declined=at(2026, 10, 25), name="潜客乙")
    referral(referrer=bank.hall, advisor=b, due=at(2026, 11, 3, 17), name="潜客丙")  # due next month
    # Sales: deposits are not private-banking products; November's sale is not October's.
    sale(c1, D(2026, 10, 3), "fund", "1000000.00", fee="10000.00")
    sale(c1, D(2026, 9, 20), "insurance", "500000.00", fee="5000.00")
    sale(c2, D(2026, 10, 8), "deposit", "2000000.00", advisor=b)
    sale(c4, D(2026, 11, 1), "trust", "3000000.00", fee="30000.00")
    sale(c3, D(2026, 10, 9), "trust", "800000.00", fee="8000.00", advisor=a)  # A sold it to B's client
    tier_change(c1, D(2026, 10, 15), "upgrade")
    tier_change(c2, D(2026, 10, 20), "downgrade")
    tier_change(c3, D(2026, 9, 30), "upgrade")
    for day, valid in [(D(2026, 10, 12), True), (D(2026, 10, 13), False), (D(2026, 10, 14), None),
                       (D(2026, 11, 2), True)]:
        Complaint.objects.create(client=c1, advisor=a, received_on=day, valid=valid)
    return {"a": a, "b": b}


def test_each_kpi_of_the_advisor_matches_the_hand_computation(october, recompute):
    recompute()
    assert values(october["a"]) == {
        KpiCode.AUM_GROWTH: Decimal("600000"),
        KpiCode.NEW_CLIENTS: 2,  # c4 onboarded + the signed prospect 潜客甲
        KpiCode.TIER_UPGRADES: 1,
        KpiCode.EFFECTIVE_CONTACTS: 2,  # 31 Oct 23:59 and the visit on the 调休 Saturday
        KpiCode.CALLS_PER_BUSINESS_DAY: Decimal("0.0556"),  # 1 effective call ÷ 18 business days
        KpiCode.COVERAGE_RATE: Decimal("0.75"),  # c1, c2, c4 of 4
        # routine: c2, c4 in time, c1 late (c5 not due); 满意度: c1, c2, c5 owed since 1 Jan (a year as clients),
        # none made (c4 is new); 大额销售: c1's 100万 fund of 3 Oct not called back by the 10th → 2 of 7
        KpiCode.CALLBACK_COMPLIANCE: Decimal("0.2857"),
        KpiCode.REFERRAL_SLA_RATE: Decimal("0.5"),
        KpiCode.REFERRAL_CONVERSION: Decimal("0.5"),
        KpiCode.REFERRALS_MADE: 1,
        KpiCode.PRODUCT_ALLOCATION: Decimal("1800000"),  # fund 100万 + the trust A sold (deposit excluded)
        KpiCode.PRODUCT_COVERAGE: Decimal("0.25"),  # c1: fund + insurance
        KpiCode.FEE_INCOME: Decimal("18000"),
        KpiCode.COMPLAINTS: 1,  # valid, in October
    }


def test_the_other_advisor_gets_their_own_contacts_and_sales(october, recompute):
    recompute()
    got = values(october["b"])
    assert got[KpiCode.EFFECTIVE_CONTACTS] == 1
    assert got[KpiCode.CALLS_PER_BUSINESS_DAY] == Decimal("0.0556")
    assert got[KpiCode.AUM_GROWTH] == 0  # c3 unchanged; c2 moved to A
    assert got[KpiCode.COVERAGE_RATE] == 0
    assert got[KpiCode.PRODUCT_ALLOCATION] == 0  # a deposit
    assert got[KpiCode.REFERRAL_SLA_RATE] == 0  # the referral due in November is not October's


def test_a_signed_referral_counts_for_both_referrer_and_advisor(october, bank, recompute):
    recompute()
    assert values(bank.account_manager)[KpiCode.REFERRALS_MADE] == 1
    assert values(october["a"])[KpiCode.REFERRALS_MADE] == 1


def test_the_adjusted_working_saturday_is_a_business_day(db):
    from performance import services

    params = services.statement_params(OCTOBER, now=at(2026, 11, 2))
    assert params["business_days"] == 18  # 23 weekdays − 5 National Day weekdays + Saturday 10 Oct
    so_far = services.statement_params(OCTOBER, now=at(2026, 10, 10, 12))
    assert so_far["business_days"] == 3  # "so far" on the 10th: Thursday 8, Friday 9 and Saturday 10 (调休)


def test_every_advisor_in_scope_has_a_scorecard_with_zeros(bank, recompute):
    recompute()
    scored = {bank.advisor, bank.advisor2, bank.centre_advisor, bank.account_manager, bank.south_advisor}
    assert {s.advisor for s in Scorecard.objects.filter(period=OCTOBER.start)} == scored
    zeros = values(bank.south_advisor)
    assert set(zeros) == set(CATALOGUE) and not any(zeros.values())
    assert not Scorecard.objects.filter(advisor__in=[bank.hall, bank.north_manager, bank.head_office]).exists()
