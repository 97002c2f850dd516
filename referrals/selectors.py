"""Read-side helpers for other apps (performance) and the funnel page."""

import datetime as dt

from django.db.models import CharField as CharF
from django.db.models import Count, F, Q, Value
from django.utils import timezone

from referrals.choices import CreditRole, ReferralStatus
from referrals.models import Referral


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
    now = now or timezone.now()
    rows = (
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
    return [with_rates(row) for row in rows]


def with_rates(row: dict) -> dict:
    """Add ``sla_rate`` and ``conversion`` (percent, one decimal; ``None`` with nothing to count) to a funnel row."""
    row["sla_rate"] = round(100 * row["sla_met"] / row["sla_due"], 1) if row["sla_due"] else None
    row["conversion"] = round(100 * row["signed"] / row["total"], 1) if row["total"] else None
    return row
