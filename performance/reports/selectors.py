"""Read side of the tier summary table, for the dashboards: no scan of the clients per page view."""

from datetime import date

from performance.reports.models import OrgTierMonth
from wealthcrm.tiering import Tier


def tier_trend(*, org_unit, first_month: date, last_month: date) -> list[dict]:
    """Client count and AUM per tier of ``org_unit``'s whole subtree, month by month, oldest first.

    One indexed query on :class:`OrgTierMonth` (a few rows per month). Months the nightly job or the backfill
    (``manage.py refresh_tier_summary``) has not written are absent rather than shown as zero.
    Each item: ``{"month", "tiers": {tier: {"clients", "aum"}}, "clients", "aum"}``.
    """
    rows = (OrgTierMonth.objects.filter(org_unit=org_unit, month__gte=first_month, month__lte=last_month)
            .order_by("month").values_list("month", "tier", "clients", "aum"))
    months: dict[date, dict] = {}
    for month, tier, clients, aum in rows:
        entry = months.setdefault(month, {"month": month, "tiers": {}, "clients": 0, "aum": 0})
        entry["tiers"][tier] = {"clients": clients, "aum": aum}
        entry["clients"] += clients
        entry["aum"] += aum
    for entry in months.values():
        entry["tiers"] = {tier: entry["tiers"].get(tier, {"clients": 0, "aum": 0}) for tier in Tier.values}
    return list(months.values())
