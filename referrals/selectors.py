"""Read-side helpers for other apps (performance) and the funnel page."""

import datetime as dt

from django.db.models import CharField as CharF
from django.db.models import Count, F, Q, Value
from django.utils import timezone

from referrals.choices import BusinessLine, CreditRole, LinkDirection, ReferralStatus
from referrals.models import Referral, sla_counts
from wealthcrm.calendar.services import BANK_TZ, local_date
from wealthcrm.org.models import OrgUnit


def signed_referral_credit(period_start: dt.date, period_end: dt.date):
    """Signed referrals per person and role, signed in [period_start, period_end] (Asia/Shanghai dates).

    A signed referral counts for both the referrer and the advisor (一份业绩两份计算), so each signed referral
    yields two rows' worth of credit. Returns a values queryset of ``{"staff_id", "role_in_referral", "count"}``
    (a UNION of two GROUP BYs; one query).
    """
    signed = Referral.objects.filter(signed_at__date__gte=period_start, signed_at__date__lte=period_end)
    as_referrer = (signed.order_by().values(staff_id=F("referrer_id"))
                   .annotate(role_in_referral=Value(CreditRole.REFERRER.value, output_field=CharF()),
                             count=Count("pk")))
    as_advisor = (signed.order_by().values(staff_id=F("advisor_id"))
                  .annotate(role_in_referral=Value(CreditRole.ADVISOR.value, output_field=CharF()),
                            count=Count("pk")))
    return as_referrer.union(as_advisor, all=True)


ORG_UNIT_GROUP = ("org_unit_id", "org_unit__name", "org_unit__path")
FUNNEL_COUNTS = ("total", "recommended", "contacted", "signed", "closed", "declined", "breached", "sla_met", "sla_due")


def funnel_groups(referrals, *, group_by: tuple[str, ...] = ORG_UNIT_GROUP, now=None):
    """Counts by status per group, and the SLA counts per advisor's turn (``ReferralAssignment``): a referral
    reassigned after a breach counts one breached turn and one for the new advisor. One GROUP BY over the
    referrals alone (a values queryset): the turns' figures are kept on each referral (``sla_counts``), so no
    join to the turns. ``group_by`` names fields or annotations of ``referrals``. Shared by the funnel page, its
    export, the dashboard and the monthly report."""
    return (
        referrals.order_by().values(*group_by)
        .annotate(
            total=Count("pk"),
            recommended=Count("pk", filter=Q(status=ReferralStatus.RECOMMENDED)),
            contacted=Count("pk", filter=Q(contacted_at__isnull=False)),
            signed=Count("pk", filter=Q(signed_at__isnull=False)),
            closed=Count("pk", filter=Q(status=ReferralStatus.CLOSED)),
            declined=Count("pk", filter=Q(status=ReferralStatus.DECLINED)),
            **sla_counts(now or timezone.now()),
        )
    )


def funnel_by_org_unit(referrals, *, now=None, rows: list[dict] | None = None) -> list[dict]:
    """Per referring org unit: counts by status and the SLA rate, by the path of the units. Grouped by unit id (a
    hash of integers, not a sort of names), the units' names and paths read after (one small query). ``rows``:
    groups already counted finer (``funnel_tables``), summed here instead of counted again.

    SLA rate = turns followed up by their deadline / turns whose deadline has passed or that were followed up.
    """
    key = ("org_unit_id",)
    rows = list(funnel_groups(referrals, group_by=key, now=now)) if rows is None else _rolled_up(rows, key)
    units = OrgUnit.objects.in_bulk([row["org_unit_id"] for row in rows])
    for row in rows:
        unit = units[row["org_unit_id"]]
        row["org_unit__name"], row["org_unit__path"] = unit.name, unit.path
    rows.sort(key=lambda row: row["org_unit__path"])
    return [with_rates(row) for row in rows]


def funnel_by_linkage(referrals, *, now=None, rows: list[dict] | None = None) -> list[dict]:
    """公私联动 both ways: the funnel per direction and business line it came from, in the choices' order.
    ``rows``: groups already counted finer (``funnel_tables``), summed here instead of counted again."""
    key = ("direction", "business_line")
    rows = list(funnel_groups(referrals, group_by=key, now=now)) if rows is None else _rolled_up(rows, key)
    order = {code: i for i, code in enumerate(BusinessLine.values)}
    rows.sort(key=lambda row: (LinkDirection.values.index(row["direction"]), order[row["business_line"]]))
    for row in rows:
        row["direction_label"] = LinkDirection(row["direction"]).label
        row["business_line_label"] = BusinessLine(row["business_line"]).label
    return [with_rates(row) for row in rows]


def funnel_tables(referrals, *, now=None) -> tuple[list[dict], list[dict]]:
    """The funnel page's two tables, per referring unit and per linkage, from one GROUP BY over both keys (a few
    hundred groups at most) summed each way: one pass over the referrals instead of two."""
    rows = list(funnel_groups(referrals, group_by=("org_unit_id", "direction", "business_line"), now=now))
    return funnel_by_org_unit(referrals, rows=rows), funnel_by_linkage(referrals, rows=rows)


def _rolled_up(rows: list[dict], key: tuple[str, ...]) -> list[dict]:
    totals: dict[tuple, dict] = {}
    for row in rows:
        group = totals.setdefault(tuple(row[k] for k in key), {**{k: row[k] for k in key},
                                                                **dict.fromkeys(FUNNEL_COUNTS, 0)})
        for count in FUNNEL_COUNTS:
            group[count] += row[count]
    return list(totals.values())


def _bank_day(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The bank's day ``day`` (Asia/Shanghai) as a half-open timestamp range: compared as timestamps, an index
    holding ``sla_due_at`` answers it, where a per-row conversion to a local date does not."""
    start = dt.datetime.combine(day, dt.time.min, tzinfo=BANK_TZ)
    return start, start + dt.timedelta(days=1)


def due_later_today_q(now) -> Q:
    """Open-referral deadlines still ahead today (the bank's day)."""
    _start, day_end = _bank_day(local_date(now))
    return Q(sla_due_at__gte=now, sla_due_at__lt=day_end)


def board_tab(open_referrals, tab: str, *, today: dt.date):
    """The referral board's tab ``tab`` of ``open_referrals`` (scoped, still open), in the board's order."""
    day_start, day_end = _bank_day(today)
    tabs = {
        "open": open_referrals,
        "due_today": open_referrals.filter(status=ReferralStatus.RECOMMENDED, sla_due_at__gte=day_start,
                                           sla_due_at__lt=day_end),
        "breached": open_referrals.filter(status=ReferralStatus.RECOMMENDED, sla_breached=True),
        "unassigned": open_referrals.filter(routed_to_manager=True),
    }
    return tabs.get(tab, open_referrals).order_by("sla_due_at", "id")


def with_rates(row: dict) -> dict:
    """Add ``sla_rate`` and ``conversion`` (percent, one decimal; ``None`` with nothing to count) to a funnel row."""
    row["sla_rate"] = round(100 * row["sla_met"] / row["sla_due"], 1) if row["sla_due"] else None
    row["conversion"] = round(100 * row["signed"] / row["total"], 1) if row["total"] else None
    return row
