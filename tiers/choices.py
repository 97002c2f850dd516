from django.db import models
from django.utils.translation import gettext_lazy as _


class Tier(models.TextChoices):
    """Administrative tier by our-bank financial assets (AUM); floors come from the effective TierPolicy."""

    HEAD_OFFICE = "head_office", _("总行级")
    BRANCH = "branch", _("分行级")
    SUB_BRANCH = "sub_branch", _("支行级")


# Tiers served by the branch private-banking centre (advisors at the branch unit); 支行级 is served locally.
CENTRE_TIERS = (Tier.HEAD_OFFICE, Tier.BRANCH)


class ValueSegment(models.TextChoices):
    A = "A", _("A 成长期")
    B = "B", _("B 培育期")
    C = "C", _("C 潜力")
    D = "D", _("D 一般")


# Order of the tiers, lowest first: a change to a higher rank is an upgrade (升级), to a lower one a downgrade.
TIER_RANK = {Tier.SUB_BRANCH: 1, Tier.BRANCH: 2, Tier.HEAD_OFFICE: 3}


class Direction(models.TextChoices):
    UPGRADE = "upgrade", _("升级")
    DOWNGRADE = "downgrade", _("降级")


class RunStatus(models.TextChoices):
    DONE = "done", _("完成")
    FAILED = "failed", _("失败")


class ChangeReason(models.TextChoices):
    NIGHTLY = "nightly", _("夜间重算")
    MANUAL = "manual", _("手工重算")
    POLICY = "policy", _("政策调整")
    BACKFILL = "backfill", _("历史回溯")
    DEMO = "demo", _("演示数据")
