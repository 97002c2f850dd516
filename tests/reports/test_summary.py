"""The tier summary table (OrgTierMonth): every unit's subtree, per tier, equal to a direct aggregate."""

import csv
import io
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.db.models import Count, Sum

from clients.models import Client
from performance.reports import summary as month_summary
from performance.reports.models import OrgTierMonth
from performance.reports.tasks import refresh_tier_summary_task
from tests.reports.conftest import PAST
from tiers.tasks import recompute_tiers_task
from wealthcrm.org.models import OrgUnit
from wealthcrm.tiering import Tier

pytestmark = pytest.mark.django_db


def summary(month) -> dict:
    return {(row.org_unit_id, row.tier): (row.clients, row.aum) for row in OrgTierMonth.objects.filter(month=month)}


def direct(unit, tier) -> tuple[int, Decimal]:
    figures = Client.objects.filter(org_unit__path__startswith=unit.path, tier=tier).aggregate(
        n=Count("pk"), aum=Sum("aum"))
    return figures["n"], figures["aum"] or Decimal("0.00")


def test_current_month_equals_a_direct_aggregate_for_every_unit_and_tier(book):
    month = month_summary.current_month()
    month_summary.refresh_tier_summary(month=month)
    rows = summary(month)
    units = list(OrgUnit.objects.all())
    assert len(rows) == len(units) * len(Tier.values)  # zeros included
    for unit in units:
        for tier in Tier.values:
            assert rows[unit.pk, tier] == direct(unit, tier), (unit.name, tier)


def test_refresh_is_idempotent_and_a_tier_that_empties_reads_zero(book, bank):
    month = month_summary.current_month()
    month_summary.refresh_tier_summary(month=month)
    Client.objects.filter(pk=book.climber.pk).update(tier=Tier.BRANCH)
    month_summary.refresh_tier_summary(month=month)
    month_summary.refresh_tier_summary(month=month)
    rows = summary(month)
    assert OrgTierMonth.objects.filter(month=month).count() == OrgUnit.objects.count() * 3
    assert rows[bank.north.pk, Tier.HEAD_OFFICE] == (0, Decimal("0.00"))
    assert rows[bank.ho.pk, Tier.BRANCH] == direct(bank.ho, Tier.BRANCH)


def test_past_month_matches_that_months_client_list(book, build):
    month_summary.refresh_tier_summary(month=PAST)
    listed = read_list(build(PAST, "csv"))
    rows = summary(PAST)
    labels = dict((str(label), code) for code, label in Tier.choices)
    count, aum = Counter(), defaultdict(Decimal)
    for row in listed:
        count[labels[row[4]]] += 1
        aum[labels[row[4]]] += Decimal(row[5])
    head_office = OrgUnit.objects.get(parent__isnull=True)
    for tier in Tier.values:
        assert rows[head_office.pk, tier] == (count[tier], aum[tier])
    assert rows[head_office.pk, Tier.BRANCH] == (2, Decimal("63333333.33"))


def read_list(report) -> list[list[str]]:
    with open(report.file.path, encoding="utf-8-sig") as fh:
        return list(csv.reader(io.StringIO(fh.read())))[1:]


def test_the_nightly_refresh_follows_the_recompute_of_its_month(book):
    as_of = month_summary.current_month()
    recompute_tiers_task.apply(kwargs={"as_of": as_of.isoformat()}).get()
    refresh_tier_summary_task.apply(kwargs={"month": as_of.isoformat()}).get()
    rows = summary(as_of)
    head_office = OrgUnit.objects.get(parent__isnull=True)
    for tier in Tier.values:
        assert rows[head_office.pk, tier] == direct(head_office, tier)


def test_recent_months_are_backfilled_from_history(book, bank):
    from django.core.management import call_command

    now = month_summary.current_month()
    back_to_past = (now.year - PAST.year) * 12 + now.month - PAST.month + 1
    call_command("refresh_tier_summary", "--months", str(back_to_past), stdout=io.StringIO())
    months = sorted(set(OrgTierMonth.objects.values_list("month", flat=True)))
    assert len(months) == back_to_past and (months[0], months[-1]) == (PAST, now)
    assert summary(PAST)[bank.north.pk, Tier.BRANCH] == (1, Decimal("30000000.00"))  # March's, from history


def test_the_dashboards_trend_reads_the_summary_in_one_query(book, bank, django_assert_num_queries):
    from performance.reports.selectors import tier_trend

    now = month_summary.current_month()
    month_summary.refresh_tier_summary(month=PAST)
    month_summary.refresh_tier_summary(month=now)
    with django_assert_num_queries(1):
        trend = tier_trend(org_unit=bank.north, first_month=PAST, last_month=now)
    assert [point["month"] for point in trend] == [PAST, now]
    assert trend[0]["tiers"][Tier.BRANCH] == {"clients": 1, "aum": Decimal("30000000.00")}
    assert (trend[-1]["clients"], trend[-1]["aum"]) == direct_total(bank.north)


def direct_total(unit) -> tuple[int, Decimal]:
    figures = Client.objects.filter(org_unit__path__startswith=unit.path).aggregate(n=Count("pk"), aum=Sum("aum"))
    return figures["n"], figures["aum"]


def test_the_refresh_is_scheduled_after_the_tier_recompute(db):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="performance.reports.tasks.refresh_tier_summary_task")
    assert (task.crontab.hour, task.crontab.minute) == ("1", "30")
