"""Read-side helpers for other apps (performance) and the funnel page."""

import datetime as dt

from django.db.models import CharField as CharF
from django.db.models import Count, F, Q, Value
from django.utils import timezone

from referrals.choices import CreditRole, ReferralStatus
from referrals.models import Referral
from wealthcrm.calendar.services import BANK_TZ


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


def funnel_by_org_unit(referrals, *, now=None) -> list[dict]:
    """Per referring org unit: counts by status and the SLA rate, from one GROUP BY.

    SLA rate = contacted by the deadline / referrals whose deadline has passed or that were contacted.
    """
    return [with_rates(row) for row in funnel_groups(referrals, now=now)]


def funnel_groups(referrals, *, now=None):
    """The funnel's GROUP BY per referring org unit (a values queryset, in the order of the org tree)."""
    now = now or timezone.now()
    return (
        referrals.order_by().values("org_unit_id", "org_unit__name", "org_unit__path")
        .annotate(
            total=Count("pk"),
            recommended=Count("pk", filter=Q(status=ReferralStatus.RECOMMENDED)),
            contacted=Count("pk", filter=Q(contacted_at__isnull=False)),
            signed=Count("pk", filter=Q(signed_at__isnull=False)),
            closed=Count("pk", filter=Q(status=ReferralStatus.CLOSED)),
            declined=Count("pk", filter=Q(status=ReferralStatus.DECLINED)),
            breached=Count("pk", filter=Q(sla_breached=True)),
            sla_met=Count("pk", filter=Q(contacted_at__isnull=False, contacted_at__lte=F("sla_due_at"))),
            sla_due=Count("pk", filter=Q(contacted_at__isnull=False) | Q(sla_due_at__lte=now)),
        )
        .order_by("org_unit__path")
    )


def board_tab(open_referrals, tab: str, *, today: dt.date):
    """The referral board's tab ``tab`` of ``open_referrals`` (scoped, still open), in the board's order."""
    day_start = dt.datetime.combine(today, dt.time.min, tzinfo=BANK_TZ)
    day_end = day_start + dt.timedelta(days=1)
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
