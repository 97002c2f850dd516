"""Read side of the managers' dashboard (经营看板): one function per card, each a fixed number of queries.

Every figure is for one org unit's whole subtree and one month. The querysets come in already scoped
(``visible_to``) from the page; narrowing to the unit is a prefix match on the materialised path. Tier mix and
the 24-month AUM trend come from the nightly summary table (:class:`OrgTierMonth`), never from a scan of the
clients; the other cards are one aggregate or one GROUP BY over the month's rows each.
"""

import datetime as dt

from django.db.models import Avg, Count, Q

from clients.choices import AcquisitionChannel
from performance.choices import Card, KpiCode
from performance.reports.models import OrgTierMonth
from performance.reports.selectors import tier_trend
from performance.selectors import missed_meetings
from performance.services import Period
from referrals.choices import ReferralStatus
from referrals.selectors import funnel_by_org_unit, with_rates
from tiers.choices import Direction
from wealthcrm.tiering import Tier

TREND_MONTHS = 24
LEADERBOARD_SIZE = 10
FUNNEL_COUNTS = ("total", "recommended", "contacted", "signed", "closed", "declined", "breached", "sla_met", "sla_due")


def months_back(period: Period, count: int) -> Period:
    """The month ``count - 1`` months before ``period``: the first month of a ``count``-month window."""
    first = period
    for _i in range(count - 1):
        first = first.previous
    return first


def tier_mix(unit, period: Period) -> list[dict]:
    """Clients and AUM per tier of the unit's subtree at the month (one indexed read of the summary table);
    a tier the nightly job has not written for the month shows as zero."""
    rows = {row["tier"]: row for row in OrgTierMonth.objects.filter(org_unit=unit, month=period.start)
            .values("tier", "clients", "aum")}
    return [{"tier": tier, "label": label, "clients": rows.get(tier, {}).get("clients", 0),
             "aum": rows.get(tier, {}).get("aum", 0)} for tier, label in Tier.choices]


def aum_trend(unit, period: Period) -> list[dict]:
    """The 24 months up to ``period`` from the summary table (months not summarised yet are absent)."""
    return tier_trend(org_unit=unit, first_month=months_back(period, TREND_MONTHS).start, last_month=period.start)


def tier_changes(changes, unit, period: Period) -> dict:
    """Upgrades and downgrades effective in the month, per new tier: one GROUP BY."""
    rows = (changes.filter(client__org_unit__path__startswith=unit.path,
                           effective_date__range=(period.start, period.end))
            .order_by().values("direction", "to_tier").annotate(n=Count("pk")))
    counts = {(row["direction"], row["to_tier"]): row["n"] for row in rows}
    by_tier = [{"tier": tier, "label": label, "upgrades": counts.get((Direction.UPGRADE, tier), 0),
                "downgrades": counts.get((Direction.DOWNGRADE, tier), 0)} for tier, label in Tier.choices]
    return {"by_tier": by_tier, "upgrades": sum(r["upgrades"] for r in by_tier),
            "downgrades": sum(r["downgrades"] for r in by_tier)}


def referral_funnel(referrals, unit, period: Period, *, now) -> dict:
    """The funnel and SLA rate of the referrals recommended in the month by the unit's subtree: the funnel
    page's GROUP BY (referrals.selectors), summed over the units, with the same rates."""
    rows = funnel_by_org_unit(referrals.filter(org_unit__path__startswith=unit.path,
                                               recommended_at__gte=period.start_at,
                                               recommended_at__lt=period.end_at), now=now)
    return with_rates({key: sum(row[key] for row in rows) for key in FUNNEL_COUNTS})


def referral_deadlines(referrals, unit, *, today: dt.date, now) -> dict:
    """Open referrals of the unit past their SLA (breached) and due later today: one aggregate."""
    return referrals.filter(org_unit__path__startswith=unit.path, status=ReferralStatus.RECOMMENDED).aggregate(
        breached=Count("pk", filter=Q(sla_breached=True)),
        due_today=Count("pk", filter=Q(sla_due_at__date=today, sla_due_at__gte=now)))


def leaderboard(cards, unit, period: Period) -> list:
    """The month's top advisors of the unit by score."""
    return list(cards.filter(period=period.start, org_unit__path__startswith=unit.path)
                .select_related("advisor", "org_unit").order_by("-score", "id")[:LEADERBOARD_SIZE])


def coverage_rate(kpi_values, unit, period: Period) -> dict:
    """The average of the advisors' coverage-rate KPI for the month (the KPI is a fraction; ``percent`` is that
    average in percent, one decimal, ``None`` with no advisor), and how many advisors it averages."""
    figures = kpi_values.filter(kpi=KpiCode.COVERAGE_RATE, period=period.start,
                                advisor__org_unit__path__startswith=unit.path).aggregate(
        rate=Avg("value"), advisors=Count("pk"))
    figures["percent"] = None if figures["rate"] is None else round(100 * figures["rate"], 1)
    return figures


def meeting_status(user, unit, today: dt.date) -> list[dict]:
    """Branches missing a client analysis meeting, among those above or below the unit (one query)."""
    return [row for row in missed_meetings(user, today)
            if row["unit"].path.startswith(unit.path) or unit.path.startswith(row["unit"].path)]


def carded_echelons(results, unit, period: Period) -> list:
    """Units of the subtree with a red or yellow card in the month's echelons (the monthly review)."""
    return list(results.filter(period=period.start, org_unit__path__startswith=unit.path,
                               card__in=[Card.RED, Card.YELLOW]).select_related("org_unit")
                .order_by("card", "kind", "rank"))


def acquisition_channels(clients, referrals, unit, period: Period) -> list[dict]:
    """New clients (created in the month) and referrals (recommended in the month) per acquisition channel:
    one GROUP BY each."""
    new_clients = dict(clients.filter(org_unit__path__startswith=unit.path, created_at__gte=period.start_at,
                                       created_at__lt=period.end_at)
                       .order_by().values_list("acquisition_channel").annotate(n=Count("pk")))
    new_referrals = dict(referrals.filter(org_unit__path__startswith=unit.path, recommended_at__gte=period.start_at,
                                          recommended_at__lt=period.end_at)
                         .order_by().values_list("channel").annotate(n=Count("pk")))
    return [{"channel": code, "label": label, "clients": new_clients.get(code, 0),
             "referrals": new_referrals.get(code, 0)} for code, label in AcquisitionChannel.choices]
