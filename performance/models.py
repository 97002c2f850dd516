"""Performance records: targets and weights, KPI values, scorecards, complaints, analysis meetings, echelons."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from performance.choices import ECHELON_KINDS, ECHELONS, Card, KpiCode
from wealthcrm.org.choices import OrgKind, Role
from wealthcrm.org.scope import ScopedQuerySet

MONEY = {"max_digits": 20, "decimal_places": 2}
# Rates (0–1), per-day averages and money all fit one numeric type for KPI values.
VALUE = {"max_digits": 20, "decimal_places": 4}
SCORED_ROLES = (Role.ADVISOR, Role.ACCOUNT_MANAGER)


class EffectiveDatedQuerySet(models.QuerySet):
    def effective_on(self, day):
        """Rows in force on ``day``: per key, the latest ``effective_from`` not after it."""
        return self.filter(effective_from__lte=day)


def _first_of_month(value):
    if value and value.day != 1:
        raise ValidationError(_("生效日期须为某月 1 日（考核按自然月）。"))


class KpiTarget(models.Model):
    """Target, weight and cap of one KPI for one role, from a month on (head office edits; history kept).

    Score contribution = weight × min(actual ÷ target, cap). Rows are never edited in place: a new
    ``effective_from`` starts a new target, so past scorecards stay explainable.
    """

    role = models.CharField(_("角色"), max_length=20, choices=[(r.value, r.label) for r in SCORED_ROLES])
    kpi = models.CharField(_("指标"), max_length=30, choices=KpiCode.choices)
    effective_from = models.DateField(_("生效月份"), validators=[_first_of_month])
    target = models.DecimalField(_("目标值"), **VALUE)
    weight = models.DecimalField(_("权重"), max_digits=6, decimal_places=2)
    cap = models.DecimalField(_("封顶倍数"), max_digits=5, decimal_places=2, default=1.2)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("设置人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EffectiveDatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("考核目标与权重")
        verbose_name_plural = _("考核目标与权重")
        ordering = ["role", "kpi", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["role", "kpi", "effective_from"], name="kpi_target_one_per_month"),
            models.CheckConstraint(condition=Q(target__gt=0), name="kpi_target_positive"),
            models.CheckConstraint(condition=Q(weight__gte=0), name="kpi_target_weight_not_negative"),
            models.CheckConstraint(condition=Q(cap__gte=1), name="kpi_target_cap_at_least_one"),
            models.CheckConstraint(condition=~Q(kpi=KpiCode.COMPLAINTS), name="kpi_target_not_complaints"),
        ]

    def __str__(self):
        return f"{self.get_role_display()} {self.get_kpi_display()} {self.effective_from:%Y-%m}"


class ScoreRule(models.Model):
    """The deduction per valid complaint, from a month on (effective-dated like the targets)."""

    effective_from = models.DateField(_("生效月份"), unique=True, validators=[_first_of_month])
    complaint_deduction = models.DecimalField(_("每件有效投诉扣分"), max_digits=6, decimal_places=2)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("设置人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EffectiveDatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("扣分规则")
        verbose_name_plural = _("扣分规则")
        ordering = ["-effective_from"]
        constraints = [models.CheckConstraint(condition=Q(complaint_deduction__gte=0),
                                              name="score_rule_deduction_not_negative")]

    def __str__(self):
        return f"{self.effective_from:%Y-%m} −{self.complaint_deduction}"


class EchelonTarget(models.Model):
    """Monthly client-growth and AUM-growth targets of org units of one kind (``org_unit`` set: that unit only)."""

    kind = models.CharField(_("机构层级"), max_length=20, choices=[(k, OrgKind(k).label) for k in ECHELON_KINDS])
    org_unit = models.ForeignKey("org.OrgUnit", verbose_name=_("机构（为空则适用同层级全部机构）"), null=True,
                                 blank=True, on_delete=models.CASCADE, related_name="echelon_targets")
    effective_from = models.DateField(_("生效月份"), validators=[_first_of_month])
    client_growth_target = models.PositiveIntegerField(_("月度新增客户目标"))
    aum_growth_target = models.DecimalField(_("月度资产净增目标"), **MONEY)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EffectiveDatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("梯队考核目标")
        verbose_name_plural = _("梯队考核目标")
        ordering = ["kind", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "effective_from"], condition=Q(org_unit__isnull=True),
                                    name="echelon_target_kind_month"),
            models.UniqueConstraint(fields=["org_unit", "effective_from"], condition=Q(org_unit__isnull=False),
                                    name="echelon_target_unit_month"),
            models.CheckConstraint(condition=Q(client_growth_target__gt=0) & Q(aum_growth_target__gt=0),
                                   name="echelon_target_positive"),
        ]

    def __str__(self):
        return f"{self.org_unit or self.get_kind_display()} {self.effective_from:%Y-%m}"


class KpiValueQuerySet(ScopedQuerySet):
    scope_fields = {"org_field": "advisor__org_unit", "owner_field": "advisor", "submitter_field": None}


class KpiValue(models.Model):
    """One KPI of one advisor for one month (period = the month's first day); written by upsert only."""

    advisor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("顾问"), on_delete=models.CASCADE,
                                related_name="kpi_values")
    kpi = models.CharField(_("指标"), max_length=30, choices=KpiCode.choices)
    period = models.DateField(_("考核月份"))
    value = models.DecimalField(_("实际值"), **VALUE)
    computed_at = models.DateTimeField(_("计算时间"))

    objects = KpiValueQuerySet.as_manager()

    class Meta:
        verbose_name = _("指标值")
        verbose_name_plural = _("指标值")
        ordering = ["period", "advisor", "kpi"]
        constraints = [models.UniqueConstraint(fields=["advisor", "kpi", "period"], name="kpi_value_one_per_month")]
        indexes = [models.Index(fields=["period", "kpi"], name="kpi_value_period_kpi")]

    def __str__(self):
        return f"{self.advisor_id} {self.kpi} {self.period:%Y-%m} {self.value}"


class ScorecardQuerySet(ScopedQuerySet):
    # The advisor's unit when computed: a manager sees the scorecards of the advisors in their subtree.
    scope_fields = {"org_field": "org_unit", "owner_field": "advisor", "submitter_field": None}


class Scorecard(models.Model):
    """一人一表: an advisor's composite score and ranks for one month."""

    advisor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("顾问"), on_delete=models.CASCADE,
                                related_name="scorecards")
    period = models.DateField(_("考核月份"))
    org_unit = models.ForeignKey("org.OrgUnit", verbose_name=_("所属机构"), on_delete=models.PROTECT,
                                 related_name="+")
    branch = models.ForeignKey("org.OrgUnit", verbose_name=_("所属分行"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    score = models.DecimalField(_("综合得分"), max_digits=8, decimal_places=2)
    deduction = models.DecimalField(_("扣分"), max_digits=8, decimal_places=2, default=0)
    rank_in_branch = models.PositiveIntegerField(_("分行排名"))
    rank_in_bank = models.PositiveIntegerField(_("全行排名"))
    computed_at = models.DateTimeField(_("计算时间"))

    objects = ScorecardQuerySet.as_manager()

    class Meta:
        verbose_name = _("考核表")
        verbose_name_plural = _("考核表")
        ordering = ["period", "rank_in_bank", "advisor"]
        constraints = [models.UniqueConstraint(fields=["advisor", "period"], name="scorecard_one_per_month")]
        indexes = [models.Index(fields=["period", "rank_in_bank"], name="scorecard_period_rank")]

    def __str__(self):
        return f"{self.advisor_id} {self.period:%Y-%m} {self.score}"


class ComplaintQuerySet(ScopedQuerySet):
    # A complaint is about an advisor's service: their managers see and decide it, the advisor sees their own.
    scope_fields = {"org_field": "advisor__org_unit", "owner_field": "advisor", "submitter_field": None}


class Complaint(models.Model):
    client = models.ForeignKey("clients.Client", verbose_name=_("客户"), on_delete=models.PROTECT,
                               related_name="complaints")
    advisor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("被投诉顾问"), on_delete=models.PROTECT,
                                related_name="complaints")
    received_on = models.DateField(_("受理日期"))
    # None until a manager decides; only valid complaints deduct.
    valid = models.BooleanField(_("有效投诉"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("认定人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("认定时间"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = _("客户投诉")
        verbose_name_plural = _("客户投诉")
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["advisor", "received_on"], name="complaint_advisor_day")]

    def __str__(self):
        return f"{self.client_id} → {self.advisor_id} {self.received_on:%Y-%m-%d}"


class AnalysisMeetingQuerySet(ScopedQuerySet):
    # The branch centre's meeting: its managers and head office; front-line staff have no log page.
    scope_fields = {"org_field": "org_unit", "owner_field": None, "submitter_field": None}


class AnalysisMeeting(models.Model):
    """客户分析会: held at least monthly per branch private-banking centre (规定动作)."""

    org_unit = models.ForeignKey("org.OrgUnit", verbose_name=_("机构"), on_delete=models.PROTECT,
                                 related_name="analysis_meetings")
    held_on = models.DateField(_("会议日期"))
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("参会人员"), related_name="+")
    clients = models.ManyToManyField("clients.Client", verbose_name=_("讨论客户"), blank=True, related_name="+")
    notes = models.TextField(_("会议纪要"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AnalysisMeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("客户分析会")
        verbose_name_plural = _("客户分析会")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["org_unit", "held_on"], name="meeting_unit_day")]

    def __str__(self):
        return f"{self.org_unit} {self.held_on:%Y-%m-%d}"


class EchelonResultQuerySet(ScopedQuerySet):
    scope_fields = {"org_field": "org_unit", "owner_field": None, "submitter_field": None}


class EchelonResult(models.Model):
    """五梯队: one org unit's attainment, rank, echelon and card for one month (kept as history)."""

    org_unit = models.ForeignKey("org.OrgUnit", verbose_name=_("机构"), on_delete=models.CASCADE,
                                 related_name="echelons")
    kind = models.CharField(_("机构层级"), max_length=20, choices=OrgKind.choices)
    period = models.DateField(_("考核月份"))
    client_growth = models.IntegerField(_("新增客户"))
    aum_growth = models.DecimalField(_("资产净增"), **MONEY)
    attainment = models.DecimalField(_("目标达成率"), max_digits=12, decimal_places=4)
    rank = models.PositiveIntegerField(_("排名"))
    echelon = models.PositiveSmallIntegerField(_("梯队"))
    # "" = no card (the API shows null).
    card = models.CharField(_("警示"), max_length=10, choices=Card.choices, blank=True, default="")
    computed_at = models.DateTimeField(_("计算时间"))

    objects = EchelonResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("梯队结果")
        verbose_name_plural = _("梯队结果")
        ordering = ["period", "kind", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "period"], name="echelon_one_per_month"),
            models.CheckConstraint(condition=Q(echelon__gte=1, echelon__lte=ECHELONS), name="echelon_in_range"),
        ]
        indexes = [models.Index(fields=["period", "kind", "rank"], name="echelon_period_kind_rank")]

    def __str__(self):
        return f"{self.org_unit_id} {self.period:%Y-%m} {self.echelon}"
