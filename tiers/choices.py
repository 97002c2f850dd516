"""Choices of the tiers app; the tier enumeration itself is kernel vocabulary (``wealthcrm.tiering``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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


class TierBasis(models.TextChoices):
    """What the floors are compared with (PRODUCT.md "Tier rule (basis and grace)")."""

    LATEST = "latest", _("最新余额")
    MONTHLY_AVERAGE = "monthly_average", _("上月月日均")
