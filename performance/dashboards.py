"""Read side of the managers' dashboard (经营看板): one function per card, each a fixed number of queries, and
:func:`figures`, the whole dashboard of one unit and month — the one source of the page, its charts and the API.

Every figure is for one org unit's whole subtree and one month. The querysets are scoped (``visible_to``) before
a card sees them; narrowing to the unit is a prefix match on the materialised path. Tier mix, the 24-month AUM
trend, acquisition channels and outstanding callbacks come from the summary tables the nightly jobs keep
(``performance.reports.summary``), never from a scan of the clients; the other cards are one aggregate or one
GROUP BY over the month's rows each.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, Q
from django.http import Http404
from django.utils.translation import gettext as _

from clients.choices import AcquisitionChannel
from clients.models import Reassignment
from performance.choices import Card, KpiCode
from performance.models import EchelonResult, KpiValue, Scorecard
from performance.reports.models import OrgCallbackSummary, OrgChannelMonth, OrgTierMonth
from performance.reports.selectors import tier_trend
from performance.reports.summary import CALLBACK_FIGURES
from performance.selectors import missed_meetings
from performance.services import Period
from referrals.choices import ReferralStatus
from referrals.models import Referral
from referrals.selectors import FUNNEL_COUNTS, due_later_today_q, funnel_groups, with_rates
from tiers.choices import Direction
from tiers.models import TierChange
from wealthcrm.org import scope
from wealthcrm.org.choices import BANK_WIDE_ROLES
from wealthcrm.tiering import Tier

TREND_MONTHS = 24
LEADERBOARD_SIZE = 10


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
    rows = (changes.filter(client_unit__path__startswith=unit.path,
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
    rows = funnel_groups(referrals.filter(org_unit__path__startswith=unit.path,
                                          recommended_at__gte=period.start_at, recommended_at__lt=period.end_at),
                         group_by=("org_unit_id",), now=now)
    return with_rates({key: sum(row[key] for row in rows) for key in FUNNEL_COUNTS})


def referral_deadlines(referrals, unit, *, now) -> dict:
    """Open referrals of the unit past their SLA (breached) and due later today: one aggregate."""
    return referrals.filter(org_unit__path__startswith=unit.path, status=ReferralStatus.RECOMMENDED).aggregate(
        breached=Count("pk", filter=Q(sla_breached=True)),
        due_today=Count("pk", filter=due_later_today_q(now)))


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


def acquisition_channels(unit, period: Period) -> list[dict]:
    """New clients (created in the month) and referrals (recommended in the month) per acquisition channel of the
    unit's subtree, from the nightly channel summary (one indexed read of six rows)."""
    rows = {row["channel"]: row for row in OrgChannelMonth.objects.filter(org_unit=unit, month=period.start)
            .values("channel", "clients", "referrals")}
    return [{"channel": code, "label": label, "clients": rows.get(code, {}).get("clients", 0),
             "referrals": rows.get(code, {}).get("referrals", 0)} for code, label in AcquisitionChannel.choices]


def callbacks(unit) -> dict:
    """Clients of the unit's subtree whose callback plan has run out or runs out within the week, and open
    scheduled follow-ups due today or overdue, as of the last nightly count (``refreshed_at``; ``None``: not
    counted yet, every figure 0)."""
    row = OrgCallbackSummary.objects.filter(org_unit=unit).values(*CALLBACK_FIGURES, "refreshed_at").first()
    return row or {**dict.fromkeys(CALLBACK_FIGURES, 0), "refreshed_at": None}


def reassignments(unit, period: Period) -> int:
    """Clients of the unit's subtree given a new advisor in the month (改派): one indexed count."""
    return Reassignment.objects.filter(org_unit__path__startswith=unit.path, at__gte=period.start_at,
                                       at__lt=period.end_at).count()


# --- the whole dashboard --------------------------------------------------------------------------------------

# The earliest month the dashboard opens: the trend reads 24 months back from it.
FIRST_PERIOD = dt.date(2000, 1, 1)


def parse_period(text, *, today: dt.date) -> Period:
    """``"YYYY-MM"`` (blank: this month); malformed, before 2000 or in the future → ``ValidationError`` naming
    ``period``."""
    if not text:
        return Period.of(today)
    period = Period.parse(text)
    if period.start < FIRST_PERIOD:
        raise ValidationError({"period": [_("月份不能早于 2000 年。")]})
    if period.start > today:
        raise ValidationError({"period": [_("不能选择未来的月份。")]})
    return period


def locate(user, units, unit_id) -> tuple:
    """``(root, unit)``: the user's own subtree root (head office: the bank's root) and the unit to show — the
    root, or ``unit_id`` (a unit of the scoped ``units`` within the root; anything else → ``Http404``)."""
    root = scope.directory_root(user) or units.filter(parent__isnull=True).order_by("path").first()
    if not root:
        raise Http404
    if unit_id in (None, ""):
        return root, root
    try:
        pk = int(unit_id)
    except (TypeError, ValueError):
        raise Http404 from None
    unit = units.filter(pk=pk).first()
    if unit is None or not unit.is_within(root):
        raise Http404
    return root, unit


def figures(user, *, units, root, unit, period: Period, today: dt.date, now) -> dict:
    """Every figure of the dashboard of ``unit`` for ``period``, for ``user`` (rows through ``visible_to``):
    read by the page (which adds the charts) and the API alike."""
    referrals = Referral.objects.visible_to(user)
    mix = tier_mix(unit, period)
    data = {
        "period": period, "unit": unit, "root": root,
        "ancestors": [u for u in units.filter(pk__in=unit.lineage_ids).order_by("path") if u.is_within(root)],
        "children": list(units.filter(parent=unit).order_by("path")),
        "mix": mix, "mix_totals": {"clients": sum(r["clients"] for r in mix), "aum": sum(r["aum"] for r in mix)},
        "trend": aum_trend(unit, period),
        "moves": tier_changes(TierChange.objects.visible_to(user), unit, period),
        "funnel": referral_funnel(referrals, unit, period, now=now),
        "deadlines": referral_deadlines(referrals, unit, now=now),
        "callbacks": callbacks(unit),
        "reassigned": reassignments(unit, period),
        "leaders": leaderboard(Scorecard.objects.visible_to(user), unit, period),
        "coverage": coverage_rate(KpiValue.objects.visible_to(user), unit, period),
        "meetings": meeting_status(user, unit, min(today, period.end)),
        "head_office": user.has_role(*BANK_WIDE_ROLES),
    }
    if data["head_office"]:
        last_full = Period.of(today).previous
        data.update({"echelon_period": last_full,
                     "carded": carded_echelons(EchelonResult.objects.visible_to(user), unit, last_full),
                     "channels": acquisition_channels(unit, period)})
    return data
