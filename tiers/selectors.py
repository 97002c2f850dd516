"""Read-side helpers of the tier pages and API: every one starts from a scoped queryset (``visible_to``)."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import CharField, Count, F, Func, Max, Q, Sum, Value
from django.db.models.functions import Substr, TruncMonth
from django.utils import timezone

from clients.models import Client
from tiers.choices import Direction, RunStatus
from tiers.models import TierCount, TierRun
from wealthcrm.org import scope
from wealthcrm.org.choices import OrgKind
from wealthcrm.org.models import OrgUnit, Staff
from wealthcrm.tiering import Tier, advisor_misfits_tier_q, serving_kinds


def monthly_change_counts(changes) -> list[dict]:
    """Upgrades and downgrades per calendar month of ``effective_date``, oldest first (one GROUP BY)."""
    rows = (changes.order_by().annotate(month=TruncMonth("effective_date")).values("month")
            .annotate(upgrades=Count("pk", filter=Q(direction=Direction.UPGRADE)),
                      downgrades=Count("pk", filter=Q(direction=Direction.DOWNGRADE)))
            .order_by("month"))
    return list(rows)


def monthly_change_series(changes, *, last_month: date, months: int = 12) -> list[dict]:
    """``monthly_change_counts`` for the ``months`` calendar months ending with ``last_month``, a month without
    changes shown as 0 (a chart that skipped it would put March beside May as if they were neighbours)."""
    first = last_month.replace(day=1)
    for _step in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    counted = {row["month"]: row for row in monthly_change_counts(
        changes.filter(effective_date__gte=first, effective_date__lt=_next_month(last_month)))}
    series, month = [], first
    while month <= last_month:
        series.append(counted.get(month, {"month": month, "upgrades": 0, "downgrades": 0}))
        month = _next_month(month)
    return series


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def near_threshold_clients(clients):
    """Of ``clients`` (a scoped queryset: ``Client.objects.visible_to(user)``), those near the next floor."""
    return clients.filter(near_threshold=True).select_related("advisor", "org_unit").order_by("-aum", "-id")


def mismatched_clients(clients):
    """Of ``clients`` (a scoped queryset), those whose advisor's org level no longer matches their tier (the
    manager's reassign list).

    总行级/分行级 clients belong with advisors of the branch private-banking centre (org unit = a branch);
    支行级 clients with advisors and account managers of sub-branches and outlets.
    """
    return (clients.filter(advisor__isnull=False).filter(advisor_misfits_tier_q())
            .select_related("advisor__org_unit", "org_unit").order_by("-aum", "-id"))


def advisor_candidates(user, client):
    """The advisors ``client`` may move to: assignable by ``user``, of the client's branch, at the level its tier
    calls for, not its current advisor (one query; the page's shared picker offers any assignable advisor and
    this rule decides on submit)."""
    branch_path = "".join(f"{part}/" for part in client.org_unit.path.split("/")[:2])  # 总行/分行/
    return (scope.assignable_advisors(user).filter(org_unit__path__startswith=branch_path,
                                                   org_unit__kind__in=serving_kinds(client.tier))
            .exclude(pk=client.advisor_id).select_related("org_unit").order_by("org_unit__path", "username"))


def allowed_advisor(user, client, advisor_id) -> Staff | None:
    return advisor_candidates(user, client).filter(pk=advisor_id).first()


def tier_mix_rows(units) -> list[dict]:
    """Clients and AUM per (org unit, tier) of ``units`` (org units, already scoped): ``[{org_unit_id,
    org_unit__path, tier, n, aum_total}]`` from :class:`TierCount` (one indexed read of a few hundred rows, kept by
    the tier recompute). Before anything was counted (a fresh install), one GROUP BY over the clients instead."""
    rows = list(TierCount.objects.filter(org_unit__in=units).order_by()
                .values("org_unit_id", "org_unit__path", "tier", n=F("clients"), aum_total=F("aum")))
    if rows or TierCount.objects.exists():
        return rows
    return list(Client.objects.filter(org_unit__in=units).order_by().values("org_unit_id", "org_unit__path", "tier")
                .annotate(n=Count("pk"), aum_total=Sum("aum")))


def tiers_counted_at():
    """When the tier mix of ``tier_mix_rows`` was counted (the last recompute; ``None``: not yet)."""
    return TierCount.objects.aggregate(at=Max("refreshed_at"))["at"]


def distribution_root(user) -> OrgUnit | None:
    """The unit the distribution's drill-down starts from: the top of the user's directory (head office: the
    bank's root)."""
    root = scope.directory_root(user)
    if root is None:
        return OrgUnit.objects.filter(parent__isnull=True).first()
    return root or None


def distribution_groups(user, unit: OrgUnit):
    """The GROUP BY behind :func:`tier_distribution`: ``segment`` (the child's id as text, '' for ``unit``
    itself), ``tier``, ``n`` and ``aum_total`` over the clients of ``user``'s scope under ``unit``."""
    segment = Func(Substr("org_unit__path", len(unit.path) + 1), Value("/"), Value(1), function="split_part",
                   output_field=CharField())
    return (Client.objects.visible_to(user).filter(org_unit__path__startswith=unit.path).order_by()
            .annotate(segment=segment).values("segment", "tier")
            .annotate(n=Count("pk"), aum_total=Sum("aum")))


def tier_distribution(user, unit: OrgUnit) -> list[dict]:
    """Client count and AUM per tier for each child of ``unit`` (plus clients booked at ``unit`` itself), from the
    counts per unit (``tier_mix_rows``).

    The child is read off each counted unit's path (the path segment right after ``unit``'s), so the work does
    not loop over units whatever the depth of the tree.
    """
    depth = len(unit.path)
    rows = tier_mix_rows(OrgUnit.objects.visible_to(user).filter(path__startswith=unit.path))
    totals = defaultdict(lambda: {tier: {"n": 0, "aum": Decimal("0")} for tier in Tier.values})
    for row in rows:
        segment = row["org_unit__path"][depth:].split("/")[0]
        cell = totals[int(segment) if segment else unit.pk][row["tier"]]
        cell["n"] += row["n"]
        cell["aum"] += row["aum_total"] or Decimal("0")
    children = list(unit.children.order_by("code"))
    result = []
    for node in ([unit] if unit.pk in totals else []) + children:
        tiers = totals.get(node.pk) or totals.default_factory()
        result.append({
            "unit": node, "own": node.pk == unit.pk, "has_children": node.pk != unit.pk and node.kind != OrgKind.OUTLET,
            "tiers": [{"tier": tier, "label": Tier(tier).label, **tiers[tier]} for tier in Tier.values[::-1]],
            "n": sum(t["n"] for t in tiers.values()), "aum": sum((t["aum"] for t in tiers.values()), Decimal("0")),
        })
    return result


STALE_AFTER_HOURS = 48


def last_run_health() -> dict:
    """Health of the nightly recompute: the last run, and whether one succeeded recently.

    A system that never ran it yet (fresh install) is not an error; a failed or stale last run is.
    """
    last = TierRun.objects.order_by("-started_at", "-id").first()
    if last is None:
        return {"ok": True, "last_run": None}
    last_done = last if last.status == RunStatus.DONE else (
        TierRun.objects.filter(status=RunStatus.DONE).order_by("-started_at", "-id").first())
    fresh = bool(last_done and last_done.finished_at
                 and timezone.now() - last_done.finished_at < timedelta(hours=STALE_AFTER_HOURS))
    return {
        "ok": last.status == RunStatus.DONE and fresh,
        "last_run": {"as_of": last.as_of.isoformat(), "status": last.status,
                     "finished_at": last.finished_at.isoformat() if last.finished_at else None,
                     "clients_total": last.clients_total, "upgrades": last.upgrades,
                     "downgrades": last.downgrades},
    }
