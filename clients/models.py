from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Case, ExpressionWrapper, F, Func, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from clients.choices import (
    AcquisitionChannel,
    CompanyRole,
    ContactChannel,
    ContactPurpose,
    Gender,
    HouseholdRelation,
    ImportKind,
    ImportStatus,
    ProductCategory,
    RiskLevel,
)
from wealthcrm.crypto import EncryptedTextField, blind_index, mask_id_number, mask_phone
from wealthcrm.money import MONEY_DIGITS
from wealthcrm.org.scope import ScopedQuerySet
from wealthcrm.tiering import TIER_RANK, Tier, ValueSegment

MONEY = MONEY_DIGITS


def search_grams(*, name="name", client_no="client_no") -> Func:
    """The 1-, 2- and 3-character pieces of a client's name and number (SQL function of migration 0005).

    Chinese names are two to four characters and people type one or two of them ("洋", "韩梅"), too short for
    pg_trgm (which also needs a locale that classifies CJK as letters); a GIN index over these pieces finds any part
    of a name or client number among a million clients.
    """
    return Func(F(name), F(client_no), function="client_search_grams",
                output_field=ArrayField(models.CharField(max_length=3)))


NEVER = datetime(1900, 1, 1, tzinfo=UTC)


# The client list's computed sort keys; the indexes on them (Client.Meta) must be these very expressions.
def tier_rank():
    return Case(*(When(tier=tier, then=Value(rank)) for tier, rank in TIER_RANK.items()), default=Value(0),
                output_field=models.IntegerField())


def last_contact():
    return Coalesce(F("last_contact_at"), Value(NEVER), output_field=models.DateTimeField())


class ClientQuerySet(ScopedQuerySet):
    scope_fields = {"org_field": "org_unit", "owner_field": "advisor", "submitter_field": None}

    def search(self, text: str):
        """Any part of the name, any part of the client number in any case, or an exact phone number."""
        text = "".join(text.split()).lower()
        if not text:
            return self
        # The pieces narrow through the index; the LIKE recheck makes a longer text match as a whole.
        pieces = [text] if len(text) <= 3 else sorted({text[i:i + 3] for i in range(len(text) - 2)})
        match = Q(search_grams__contains=pieces) & (Q(name__icontains=text) | Q(client_no__icontains=text))
        phone = text.replace("-", "").removeprefix("+86")
        if phone.isdigit() and 7 <= len(phone) <= 15:
            match |= Q(phone_hash=blind_index(phone))
        return self.alias(search_grams=search_grams()).filter(match)

    def with_sort_keys(self):
        """Annotates ``tier_rank`` (支行级 1 … 总行级 3) and ``last_contact`` (never contacted sorts as the oldest):
        keyset paging needs non-null sort keys, as ``NULL`` compares to nothing. Both are indexed (``Meta``)."""
        return self.annotate(tier_rank=tier_rank(), last_contact=last_contact())

    def callback_due(self, *, now):
        """Clients due a callback: no effective contact within their tier's ``CallbackPlan`` interval.

        Annotates ``last_effective_contact`` (``None``: never reached) and ``callback_interval`` (days).
        """
        interval = Subquery(CallbackPlan.objects.filter(tier=OuterRef("tier")).values("interval_days")[:1])
        last = Subquery(Contact.objects.filter(client=OuterRef("pk"), effective=True)
                        .order_by("-occurred_at").values("occurred_at")[:1])
        window = Func(F("callback_interval"), template="make_interval(days => %(expressions)s)",
                      output_field=models.DurationField())
        due_before = ExpressionWrapper(Value(now) - window, output_field=models.DateTimeField())
        return (self.annotate(last_effective_contact=last, callback_interval=interval)
                .filter(callback_interval__isnull=False)
                .filter(Q(last_effective_contact__isnull=True) | Q(last_effective_contact__lt=due_before)))


class Household(models.Model):
    """A family unit: many private-banking decisions are family decisions."""

    name = models.CharField(_("家庭名称"), max_length=100)
    note = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("家庭")
        verbose_name_plural = _("家庭")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Company(models.Model):
    """A client's employer or owned enterprise (公私联动: its corporate account manager)."""

    name = models.CharField(_("企业名称"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    industry = models.CharField(_("行业"), max_length=100, blank=True)
    org_unit = models.ForeignKey("org.OrgUnit", verbose_name=_("开户机构"), on_delete=models.PROTECT,
                                 related_name="companies")
    corporate_manager = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("对公客户经理"), null=True,
                                          blank=True, on_delete=models.SET_NULL, related_name="corporate_clients")

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["credit_code"], condition=~Q(credit_code=""),
                                    name="company_credit_code_unique"),
        ]

    def __str__(self):
        return self.name


class Client(models.Model):
    client_no = models.CharField(_("客户号"), max_length=32, unique=True)
    name = models.CharField(_("姓名"), max_length=100)
    id_number = EncryptedTextField(_("证件号码"), blank=True)
    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone = EncryptedTextField(_("手机号"), blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    occupation = models.CharField(_("职业"), max_length=100, blank=True)
    risk_level = models.CharField(_("风险等级"), max_length=2, choices=RiskLevel.choices, blank=True)
    risk_assessed_on = models.DateField(_("风险测评日期"), null=True, blank=True)
    investment_preferences = models.CharField(_("投资偏好"), max_length=200, blank=True)
    tags = models.JSONField(_("标签"), default=list, blank=True)
    acquisition_channel = models.CharField(_("获客渠道"), max_length=20, choices=AcquisitionChannel.choices,
                                           blank=True)
    org_unit = models.ForeignKey("org.OrgUnit", verbose_name=_("所属机构"), on_delete=models.PROTECT,
                                 related_name="clients")
    advisor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("管户顾问"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="clients")
    household = models.ForeignKey(Household, verbose_name=_("家庭"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="members")
    household_relation = models.CharField(_("家庭关系"), max_length=10, choices=HouseholdRelation.choices,
                                          blank=True)
    company = models.ForeignKey(Company, verbose_name=_("关联企业"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="clients")
    company_role = models.CharField(_("企业身份"), max_length=20, choices=CompanyRole.choices, blank=True)
    # Current our-bank financial assets (我行金融资产), kept current from the latest AumSnapshot.
    aum = models.DecimalField(_("我行金融资产"), default=0, **MONEY)
    aum_as_of = models.DateField(_("资产日期"), null=True, blank=True)
    investable_assets = models.DecimalField(_("可投资金融资产"), null=True, blank=True, **MONEY)
    contribution = models.DecimalField(_("综合贡献"), null=True, blank=True, **MONEY)
    # Written by the nightly tier recompute (tiers.services), never by hand.
    tier = models.CharField(_("客户层级"), max_length=20, choices=Tier.choices, default=Tier.SUB_BRANCH)
    near_threshold = models.BooleanField(_("临界提级"), default=False)
    value_segment = models.CharField(_("价值分群"), max_length=1, choices=ValueSegment.choices, blank=True)
    # Kept by a statement-level trigger on contacts (migration 0006), so every way a contact arrives (the page,
    # the API, an import, a COPY) keeps it; the client list sorts by it without aggregating 10M contacts.
    last_contact_at = models.DateTimeField(_("最近接触"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClientQuerySet.as_manager()

    class Meta:
        verbose_name = _("客户")
        verbose_name_plural = _("客户")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["org_unit", "tier", "-id"], name="client_org_tier_id"),
            models.Index(fields=["advisor", "-id"], name="client_advisor_id"),
            models.Index(fields=["tier", "-id"], name="client_tier_id"),
            models.Index(fields=["name"], name="client_name"),
            models.Index(fields=["aum", "id"], name="client_aum_id"),
            models.Index(tier_rank(), F("aum"), F("id"), name="client_tier_rank_aum_id"),
            models.Index(last_contact(), F("id"), name="client_last_contact_id"),
            # Prefix search on the name (LIKE 'x%') needs pattern ops under a non-C collation.
            models.Index(fields=["name"], name="client_name_prefix", opclasses=["varchar_pattern_ops"]),
            GinIndex(search_grams(), name="client_search_grams"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(aum__gte=0), name="client_aum_not_negative"),
        ]

    def __str__(self):
        return f"{self.name}（{self.client_no}）"

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    def risk_expires_on(self, validity: timedelta | None):
        """The day the risk assessment runs out, under the policy's validity (``tiering.risk_assessment_validity``)."""
        return self.risk_assessed_on + validity if self.risk_assessed_on and validity else None


class AumSnapshot(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="aum_snapshots")
    as_of = models.DateField(_("日期"))
    aum = models.DecimalField(_("金融资产"), **MONEY)

    class Meta:
        verbose_name = _("资产快照")
        verbose_name_plural = _("资产快照")
        ordering = ["client", "-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["client", "as_of"], name="aum_snapshot_one_per_day"),
            models.CheckConstraint(condition=Q(aum__gte=0), name="aum_snapshot_not_negative"),
        ]
        indexes = [models.Index(fields=["as_of"], name="aum_snapshot_as_of")]

    def __str__(self):
        return f"{self.client_id} {self.as_of} {self.aum}"


class ContactQuerySet(ScopedQuerySet):
    # A contact belongs to the client relationship: the client's advisor and managers above see it.
    scope_fields = {"org_field": "client__org_unit", "owner_field": "client__advisor", "submitter_field": None}


class Contact(models.Model):
    client = models.ForeignKey(Client, verbose_name=_("客户"), on_delete=models.CASCADE, related_name="contacts")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("接触人"), on_delete=models.PROTECT,
                              related_name="contacts")
    channel = models.CharField(_("渠道"), max_length=10, choices=ContactChannel.choices)
    purpose = models.CharField(_("目的"), max_length=30, choices=ContactPurpose.choices)
    occurred_at = models.DateTimeField(_("接触时间"))
    summary = models.TextField(_("摘要"), blank=True)
    effective = models.BooleanField(_("有效接触"), default=True)
    next_action_at = models.DateTimeField(_("下次跟进"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("接触记录")
        verbose_name_plural = _("接触记录")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["client", "-occurred_at"], name="contact_client_time"),
            models.Index(fields=["staff", "occurred_at"], name="contact_staff_time"),
        ]

    def __str__(self):
        return f"{self.client_id} {self.get_channel_display()} {self.occurred_at:%Y-%m-%d}"


class ProductSale(models.Model):
    client = models.ForeignKey(Client, verbose_name=_("客户"), on_delete=models.CASCADE, related_name="sales")
    sold_on = models.DateField(_("销售日期"))
    product_category = models.CharField(_("产品类别"), max_length=20, choices=ProductCategory.choices)
    amount = models.DecimalField(_("金额"), **MONEY)
    fee_income = models.DecimalField(_("中间业务收入"), default=0, **MONEY)
    advisor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("销售顾问"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="sales")

    class Meta:
        verbose_name = _("产品销售")
        verbose_name_plural = _("产品销售")
        ordering = ["-sold_on", "-id"]
        constraints = [
            # Core banking sends no sale id: the row itself is the key, so a re-import changes nothing.
            models.UniqueConstraint(fields=["client", "sold_on", "product_category", "amount"],
                                    name="product_sale_natural_key"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="product_sale_amount_not_negative"),
        ]
        indexes = [models.Index(fields=["advisor", "sold_on"], name="sale_advisor_day")]

    def __str__(self):
        return f"{self.client_id} {self.sold_on} {self.get_product_category_display()} {self.amount}"


class CallbackPlan(models.Model):
    """How often a client of a tier must be reached (回访计划): the interval between effective contacts.

    Data, not code (ARCHITECTURE.md): head office edits the intervals in the admin; defaults come from a data
    migration (总行级 monthly, 分行级 quarterly, 支行级 twice a year).
    """

    tier = models.CharField(_("客户层级"), max_length=20, choices=Tier.choices, unique=True)
    interval_days = models.PositiveSmallIntegerField(_("回访间隔（天）"))

    class Meta:
        verbose_name = _("回访计划")
        verbose_name_plural = _("回访计划")
        ordering = ["interval_days"]
        constraints = [models.CheckConstraint(condition=Q(interval_days__gt=0), name="callback_plan_interval_positive")]

    def __str__(self):
        return f"{self.get_tier_display()}：{self.interval_days}"


class ImportJobQuerySet(ScopedQuerySet):
    # The bank-wide feeds: head office and admin see every job; others only what they uploaded themselves.
    scope_fields = {"org_field": None, "owner_field": "created_by", "submitter_field": "created_by"}


class ImportJob(models.Model):
    """A file import (clients, AUM snapshots, sales): validated row by row in Celery, with progress."""

    kind = models.CharField(_("类型"), max_length=20, choices=ImportKind.choices)
    file = models.FileField(_("文件"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("文件名"), max_length=255)
    status = models.CharField(_("状态"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="imports")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.original_name}"
