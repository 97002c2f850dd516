from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tiers.choices import ChangeReason, Direction, RunStatus, TierBasis
from wealthcrm.money import MONEY_DIGITS
from wealthcrm.org.scope import ScopedQuerySet
from wealthcrm.tiering import Tier

MONEY = MONEY_DIGITS


class TierPolicyQuerySet(models.QuerySet):
    def effective_on(self, day: date) -> "TierPolicy | None":
        """The policy in force on ``day``: the latest one whose ``effective_from`` is not after it."""
        return self.filter(effective_from__lte=day).order_by("-effective_from").first()


class TierPolicy(models.Model):
    """Tier floors, what they are compared with, the downgrade grace, the near-threshold margin, the value-segment
    thresholds and the risk-assessment validity, effective from a date (PRODUCT.md "Tiers" and "Tier rule",
    ARCHITECTURE.md: rules like these are data, not code).

    Floors are inclusive: AUM equal to ``head_office_floor`` is 总行级, equal to ``branch_floor`` is 分行级. The
    basis, the grace and the value-segment thresholds are explained in ``tiers.services``; the defaults (latest
    balance, no grace) are the bank's rules of 2026.
    """

    effective_from = models.DateField(_("生效日期"), unique=True)
    head_office_floor = models.DecimalField(_("总行级门槛"), **MONEY)
    branch_floor = models.DecimalField(_("分行级门槛"), **MONEY)
    near_threshold_margin = models.DecimalField(
        _("临界提级比例"), max_digits=5, decimal_places=4, help_text=_("小数，例如 0.10 表示门槛以下 10% 以内")
    )
    tier_basis = models.CharField(
        _("分层口径"), max_length=20, choices=TierBasis.choices, default=TierBasis.LATEST,
        db_default=TierBasis.LATEST,
        help_text=_("门槛与什么比较：最新余额，或上一个完整自然月的月日均"))
    downgrade_grace_months = models.PositiveSmallIntegerField(
        _("降级宽限月数"), default=0, db_default=0, validators=[MaxValueValidator(36)],
        help_text=_("连续多少个月低于所在层级门槛才降级；0 表示下一次重算即降级"))
    contribution_high = models.DecimalField(
        _("高贡献门槛"), default=Decimal("100000.00"), **MONEY,
        help_text=_("元：综合贡献达到即为当前价值高"))
    wallet_gap_min = models.DecimalField(
        _("他行资产门槛"), default=Decimal("1000000.00"), **MONEY,
        help_text=_("元：他行资产（可投资金融资产 − 我行金融资产）达到即可能为潜在价值高"))
    activity_days = models.PositiveSmallIntegerField(
        _("活跃天数"), default=90, validators=[MinValueValidator(1), MaxValueValidator(3660)],
        help_text=_("近多少天内有有效接触或产品销售算作活跃"))
    risk_assessment_valid_days = models.PositiveSmallIntegerField(
        _("风险测评有效天数"), default=365, validators=[MinValueValidator(1), MaxValueValidator(3660)],
        help_text=_("客户风险测评自测评日起的有效天数"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("设置人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TierPolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("分层政策")
        verbose_name_plural = _("分层政策")
        ordering = ["-effective_from"]
        constraints = [
            models.CheckConstraint(condition=Q(branch_floor__gt=0), name="tier_policy_branch_floor_positive"),
            models.CheckConstraint(condition=Q(head_office_floor__gt=F("branch_floor")),
                                   name="tier_policy_floors_ordered"),
            models.CheckConstraint(condition=Q(near_threshold_margin__gte=0, near_threshold_margin__lt=1),
                                   name="tier_policy_margin_fraction"),
        ]

    def __str__(self):
        return f"{self.effective_from:%Y-%m-%d}"

    def clean(self):
        errors = {}
        if self.branch_floor is not None and self.branch_floor <= 0:
            errors["branch_floor"] = _("分行级门槛必须大于 0。")
        if (self.head_office_floor is not None and self.branch_floor is not None
                and self.head_office_floor <= self.branch_floor):
            errors["head_office_floor"] = _("总行级门槛必须高于分行级门槛。")
        margin = self.near_threshold_margin
        if margin is not None and not (Decimal("0") <= margin < Decimal("1")):
            errors["near_threshold_margin"] = _("临界提级比例必须在 0 到 1 之间（不含 1），例如 0.10。")
        if errors:
            raise ValidationError(errors)

    @property
    def risk_assessment_validity(self) -> timedelta:
        return timedelta(days=self.risk_assessment_valid_days)

    def near_floor(self, floor: Decimal) -> Decimal:
        """Lowest AUM counted as near ``floor`` (inclusive), rounded to the fen."""
        return (floor * (1 - self.near_threshold_margin)).quantize(Decimal("0.01"))

    def next_floor(self, tier: str) -> Decimal:
        """The floor a client of ``tier`` is working towards: 分行级 → 总行级 floor, 支行级 → 分行级 floor."""
        return self.head_office_floor if tier == Tier.BRANCH else self.branch_floor

    def tier_for(self, aum: Decimal) -> str:
        """The tier of one amount — for display and tests; the nightly job computes it in SQL."""
        if aum >= self.head_office_floor:
            return Tier.HEAD_OFFICE
        if aum >= self.branch_floor:
            return Tier.BRANCH
        return Tier.SUB_BRANCH


class TierRun(models.Model):
    """One execution of :func:`tiers.services.recompute_tiers` (for health and the pages).

    Written in the same transaction as the tier updates, so a run that died leaves no "done" record;
    a run that raised is recorded as failed afterwards.
    """

    as_of = models.DateField(_("计算日期"))
    reason = models.CharField(_("原因"), max_length=20, choices=ChangeReason.choices, default=ChangeReason.NIGHTLY)
    status = models.CharField(_("状态"), max_length=10, choices=RunStatus.choices)
    policy = models.ForeignKey(TierPolicy, verbose_name=_("适用政策"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="runs")
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    clients_total = models.PositiveIntegerField(_("客户总数"), default=0)
    rows_updated = models.PositiveIntegerField(_("更新客户数"), default=0)
    upgrades = models.PositiveIntegerField(_("升级"), default=0)
    downgrades = models.PositiveIntegerField(_("降级"), default=0)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("分层重算记录")
        verbose_name_plural = _("分层重算记录")
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"{self.as_of:%Y-%m-%d} {self.get_status_display()}"

    @property
    def tier_changes(self) -> int:
        return self.upgrades + self.downgrades


class TierChangeQuerySet(ScopedQuerySet):
    # A tier change belongs to the client relationship: scoped by the client's unit (copied onto the row, below)
    # and the client's advisor, like contacts.
    scope_fields = {"org_field": "client_unit", "owner_field": "client__advisor", "submitter_field": None}


class TierChange(models.Model):
    """One client moving between tiers (PRODUCT.md: counted per month as upgrades and downgrades)."""

    client = models.ForeignKey("clients.Client", verbose_name=_("客户"), on_delete=models.CASCADE,
                               related_name="tier_changes")
    # The client's unit now, kept by database triggers (migration 0008) as the client moves: a branch manager's
    # history and monthly chart read the change rows alone, not a join to a million clients.
    client_unit = models.ForeignKey("org.OrgUnit", null=True, editable=False, on_delete=models.DO_NOTHING,
                                    db_constraint=False, related_name="+")
    from_tier = models.CharField(_("原层级"), max_length=20, choices=Tier.choices)
    to_tier = models.CharField(_("新层级"), max_length=20, choices=Tier.choices)
    direction = models.CharField(_("方向"), max_length=10, choices=Direction.choices)
    aum = models.DecimalField(_("我行金融资产"), **MONEY)
    # Which rule moved the client: the amount compared with the floors, on which basis, and for a downgrade held
    # by the policy's grace, how many consecutive months the client had been below the floor.
    basis = models.CharField(_("分层口径"), max_length=20, choices=TierBasis.choices, default=TierBasis.LATEST,
                             db_default=TierBasis.LATEST)
    basis_aum = models.DecimalField(_("比较金额"), null=True, blank=True, **MONEY)
    months_below = models.PositiveSmallIntegerField(_("连续低于门槛月数"), default=0, db_default=0)
    effective_date = models.DateField(_("生效日期"))
    reason = models.CharField(_("原因"), max_length=20, choices=ChangeReason.choices)
    run = models.ForeignKey(TierRun, verbose_name=_("重算批次"), null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="changes")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TierChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("层级变动")
        verbose_name_plural = _("层级变动")
        ordering = ["-effective_date", "-id"]
        indexes = [
            # Monthly upgrade/downgrade counts scan a date range and group by direction and tier.
            models.Index(fields=["effective_date", "direction", "to_tier"], name="tier_change_month"),
            models.Index(fields=["client", "-effective_date"], name="tier_change_client"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(from_tier=F("to_tier")), name="tier_change_changes_tier"),
        ]

    def __str__(self):
        return f"{self.client_id}: {self.from_tier} → {self.to_tier} ({self.effective_date:%Y-%m-%d})"

    @property
    def rule(self) -> str:
        """The rule that moved the client, as people read it: 升级 / 降级（连续 N 个月低于门槛）, and the basis."""
        text = self.get_direction_display()
        if self.direction == Direction.DOWNGRADE and self.months_below:
            text = _("%(direction)s（连续 %(n)s 个月低于门槛）") % {"direction": text, "n": self.months_below}
        if self.basis == TierBasis.MONTHLY_AVERAGE:
            text = _("%(rule)s · 按上月月日均") % {"rule": text}
        return str(text)


class TierCount(models.Model):
    """Clients and AUM per org unit (where they are booked, not rolled up) and tier: the tier mix that the
    distribution page and the managers' home read instead of grouping a million clients per view.

    Rewritten by every tier recompute in its own transaction (``tiers.services.refresh_tier_counts``), so the
    figures are those of the last recompute (``refreshed_at``); clients added or moved since count from the next.
    """

    org_unit = models.ForeignKey("org.OrgUnit", verbose_name=_("机构"), on_delete=models.CASCADE,
                                 related_name="tier_counts")
    tier = models.CharField(_("客户层级"), max_length=20, choices=Tier.choices)
    clients = models.PositiveIntegerField(_("客户数"), default=0)
    aum = models.DecimalField(_("我行金融资产"), default=0, **MONEY)
    refreshed_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("机构分层计数")
        verbose_name_plural = _("机构分层计数")
        constraints = [models.UniqueConstraint(fields=["org_unit", "tier"], name="tier_count_unique")]

    def __str__(self):
        return f"{self.org_unit_id} {self.tier}: {self.clients}"
