"""The callback-compliance KPI counts every kind of callback due under the plans (PRODUCT.md "Performance",
"Contacts and callbacks"): routine, 满意度回访 and 大额销售回访, each made in time or not, for October 2026."""

import datetime as dt
from decimal import Decimal

import pytest

from clients.models import CallbackPlan, Contact
from performance.choices import KpiCode
from performance.models import KpiValue
from tests.performance.conftest import OCTOBER
from tests.performance.factories import at, client_of, contact, sale

D = dt.date


def compliance(advisor):
    return KpiValue.objects.get(advisor=advisor, period=OCTOBER.start, kpi=KpiCode.CALLBACK_COMPLIANCE).value


def callback(client, staff, when, purpose):
    return Contact.objects.create(client=client, staff=staff, channel="phone", purpose=purpose, occurred_at=when,
                                  effective=True)


@pytest.fixture
def book(bank):
    """A's clients, each reached on 15 Sep (the routine 支行级 plan is not due again in October)."""
    a = bank.advisor
    k = {name: client_of(a, created=at(*created)) for name, created in [
        ("k1", (2025, 9, 1)), ("k2", (2025, 9, 1)), ("k3", (2026, 6, 1)), ("k4", (2026, 6, 1)),
        ("k5", (2026, 6, 1)), ("k6", (2026, 6, 1))]}
    for client in k.values():
        contact(client, a, at(2026, 9, 15))
    # 满意度: k1 last on 20 Oct 2025 → due 20 Oct, made on the 15th; k2 due 5 Oct, made on the 12th (late)
    callback(k["k1"], a, at(2025, 10, 20), "callback_satisfaction")
    callback(k["k1"], a, at(2026, 10, 15), "callback_satisfaction")
    callback(k["k2"], a, at(2025, 10, 5), "callback_satisfaction")
    callback(k["k2"], a, at(2026, 10, 12), "callback_satisfaction")
    # 大额销售: k3's of 10 Oct due the 17th, made on the 16th; k4's of 28 Oct due 4 Nov (not October's);
    # k5's of 20 Sep was overdue when October began and is made on 3 Oct (owed, so due by the month's end)
    sale(k["k3"], D(2026, 10, 10), "fund", "1500000.00")
    callback(k["k3"], a, at(2026, 10, 16), "callback_large_sale")
    sale(k["k4"], D(2026, 10, 28), "trust", "3000000.00")
    sale(k["k5"], D(2026, 9, 20), "insurance", "1000000.00")
    callback(k["k5"], a, at(2026, 10, 3), "callback_large_sale")
    # not large: under 100万, or a deposit
    sale(k["k6"], D(2026, 10, 5), "fund", "800000.00")
    sale(k["k6"], D(2026, 10, 6), "deposit", "5000000.00")
    return k


def test_the_kpi_counts_satisfaction_and_large_sale_callbacks(bank, book, recompute):
    recompute()
    assert compliance(bank.advisor) == Decimal("0.75")  # k1, k3, k5 in time; k2 late


def test_the_sub_branchs_own_plan_is_the_one_judged(bank, book, recompute):
    CallbackPlan.objects.create(tier="sub_branch", org_unit=bank.north_sub, effective_from=D(2026, 1, 1),
                                interval_days=180, large_sale_threshold=Decimal("1000000.00"), large_sale_days=30,
                                satisfaction_months=12)
    recompute()
    # 30 days for a large sale: k3's falls due in November, k5's on 20 Oct (made on the 3rd)
    assert compliance(bank.advisor) == Decimal("0.6667")  # k1, k5 in time; k2 late


def test_a_large_sale_called_back_before_the_month_is_not_owed(bank, book, recompute):
    callback(book["k5"], bank.advisor, at(2026, 9, 25), "callback_large_sale")
    recompute()
    assert compliance(bank.advisor) == Decimal("0.6667")  # k1, k3 in time; k2 late
