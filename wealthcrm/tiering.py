"""The client tiers and who serves each: kernel vocabulary shared by clients, tiers, referrals and performance.

It sits below the apps (ARCHITECTURE.md "Rules that keep it simple"): ``clients`` stores a client's tier and
``tiers`` computes it, so neither may own the enumeration without importing the other. The floors between the
tiers are effective-dated data (``tiers.TierPolicy``); what lives here never changes with a policy, except the
one question apps below ``tiers`` ask of that policy (the risk-assessment validity), answered through a lookup
the tiers app registers from its ``AppConfig.ready`` so that the kernel and ``clients`` import no ``tiers``.
"""

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wealthcrm.org.choices import OrgKind


class Tier(models.TextChoices):
    """Administrative tier by our-bank financial assets (AUM); floors come from the effective TierPolicy."""

    HEAD_OFFICE = "head_office", _("总行级")
    BRANCH = "branch", _("分行级")
    SUB_BRANCH = "sub_branch", _("支行级")


class ValueSegment(models.TextChoices):
    A = "A", _("A 成长期")
    B = "B", _("B 培育期")
    C = "C", _("C 潜力")
    D = "D", _("D 一般")


# One colour per tier for the badges (app.css ``--tier-*``) and every chart, so a tier looks the same everywhere.
TIER_COLOURS = {Tier.HEAD_OFFICE: "#13223f", Tier.BRANCH: "#8c6a2f", Tier.SUB_BRANCH: "#5f6d87"}
# Upgrades and downgrades in charts: the colours of the ok/bad badges (app.css ``--ok``/``--bad``).
DIRECTION_COLOURS = {"upgrade": "#2e7d4f", "downgrade": "#b42318"}

# Order of the tiers, lowest first: a change to a higher rank is an upgrade (升级), to a lower one a downgrade.
TIER_RANK = {Tier.SUB_BRANCH: 1, Tier.BRANCH: 2, Tier.HEAD_OFFICE: 3}

# Tiers served by the branch private-banking centre (advisors at the branch unit); 支行级 is served locally.
CENTRE_TIERS = (Tier.HEAD_OFFICE, Tier.BRANCH)
CENTRE_KINDS = (OrgKind.BRANCH,)
LOCAL_KINDS = (OrgKind.SUB_BRANCH, OrgKind.OUTLET)


def serving_kinds(tier: str) -> tuple[str, ...]:
    """Org-unit kinds whose advisors serve ``tier`` (PRODUCT.md "Tiers"): 总行级/分行级 the branch private-banking
    centre (advisors at the branch unit), 支行级 sub-branch advisors and outlet account managers."""
    return CENTRE_KINDS if tier in CENTRE_TIERS else LOCAL_KINDS


def advisor_fits_tier(*, advisor, tier: str) -> bool:
    kind = advisor.org_unit.kind if advisor.org_unit_id else None
    return kind in serving_kinds(tier)


def advisor_misfits_tier_q(*, tier_field: str = "tier", kind_field: str = "advisor__org_unit__kind") -> Q:
    """The same rule as a filter: rows whose advisor's org level does not serve their tier."""
    return (Q(**{f"{tier_field}__in": CENTRE_TIERS}) & ~Q(**{f"{kind_field}__in": CENTRE_KINDS})) | (
        Q(**{tier_field: Tier.SUB_BRANCH}) & ~Q(**{f"{kind_field}__in": LOCAL_KINDS})
    )


_effective_policy: Callable[[date], object | None] | None = None


def register_effective_policy(lookup: Callable[[date], object | None]) -> None:
    """The tiers app hands over ``TierPolicy.objects.effective_on`` (its AppConfig.ready)."""
    global _effective_policy
    _effective_policy = lookup


def risk_assessment_validity(on: date) -> timedelta | None:
    """How long a risk assessment stays valid under the policy in force ``on`` (None: no policy in force)."""
    policy = _effective_policy(on) if _effective_policy else None
    return policy.risk_assessment_validity if policy is not None else None


def amount_tier(on: date) -> Callable[[Decimal], str] | None:
    """The tier of an amount under the floors of the policy in force ``on`` (None: no policy in force) — for
    figures that are not a client's own AUM, such as a household's total; clients are tiered by the recompute."""
    policy = _effective_policy(on) if _effective_policy else None
    return policy.tier_for if policy is not None else None
