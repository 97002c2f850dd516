import functools
from datetime import UTC, datetime, time, timedelta
from time import time as time_now

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import connection, models
from django.db.models import (
    Case,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    Lookup,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.choices import (
    AcquisitionChannel,
    CallbackState,
    CompanyRole,
    ContactChannel,
    ContactPurpose,
    FollowUpState,
    Gender,
    HouseholdRelation,
    ImportKind,
    ImportStatus,
    ProductCategory,
    RiskLevel,
)
from wealthcrm.crypto import EncryptedTextField, blind_index, mask_id_number, mask_phone
from wealthcrm.money import MONEY_DIGITS
from wealthcrm.org.choices import RELATIONSHIP_ROLES
from wealthcrm.org.models import OrgUnit
from wealthcrm.org.scope import ScopedQuerySet, unit_rules_q
from wealthcrm.tiering import TIER_RANK, Tier, ValueSegment

MONEY = MONEY_DIGITS
# A scheduled next action (Contact.next_action_at) older than this is no longer on anyone's list: my day and the
# dashboards look this far back for follow-ups still open.
FOLLOW_UP_LOOKBACK_DAYS = 14
# How far ahead "callbacks coming due" looks (the week a manager plans).
CALLBACK_DUE_SOON_DAYS = 7


def search_grams(*, name="name", client_no="client_no") -> Func:
    """The 1-, 2- and 3-character pieces of a client's name and number (SQL function of migration 0005).

    Chinese names are two to four characters and people type one or two of them ("洋", "韩梅"), too short for
    pg_trgm (which also needs a locale that classifies CJK as letters); a GIN index over these pieces finds any part
    of a name or client number among a million clients.
    """
    return Func(F(name), F(client_no), function="client_search_grams",
                output_field=ArrayField(models.CharField(max_length=3)))


# A piece held by more than this share of clients narrows nothing worth reading its posting list: a client number's
# prefix and padding ("c00", "000") are in every client's pieces, and PostgreSQL intersects every piece it is given
# (warm, at 100,000 clients: 9.4 ms for a client number's pieces, 1.2 ms without those two). The search leaves such
# pieces to the LIKE recheck.
COMMON_PIECE_SHARE = 0.2
PIECE_STATS_SECONDS = 600


@functools.lru_cache(maxsize=1)
def _piece_shares(_period: int) -> dict[str, float]:
    with connection.cursor() as cursor:
        cursor.execute("""SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats
                          WHERE schemaname = current_schema() AND tablename = 'client_search_grams'""")
        row = cursor.fetchone()
    return dict(zip(row[0], row[1], strict=False)) if row and row[0] else {}


def piece_shares() -> dict[str, float]:
    """The search index's most common pieces and the share of clients holding each, from PostgreSQL's own
    statistics of the index (``pg_stats``, kept by ANALYZE), read at most every ten minutes per process; empty
    before the first ANALYZE."""
    return _piece_shares(int(time_now() // PIECE_STATS_SECONDS))


def narrowing_pieces(pieces: list[str]) -> list[str]:
    """The pieces worth giving the index: all but the common ones (at least the rarest piece is kept)."""
    shares = piece_shares()
    rare = [piece for piece in pieces if shares.get(piece, 0) < COMMON_PIECE_SHARE]
    return rare or [min(pieces, key=lambda piece: shares.get(piece, 0))]


NEVER = datetime(1900, 1, 1, tzinfo=UTC)


# The client list's computed sort keys; the indexes on them (Client.Meta) must be these very expressions.
def tier_rank():
    return Case(*(When(tier=tier, then=Value(rank)) for tier, rank in TIER_RANK.items()), default=Value(0),
                output_field=models.IntegerField())


def last_contact():
    return Coalesce(F("last_contact_at"), Value(NEVER), output_field=models.DateTimeField())


# Stored encrypted (Fernet): each one read is decrypted when the row is loaded, ~25 µs a value.
ENCRYPTED_FIELDS = ("id_number", "phone")


def without_personal_data(queryset, via: str = ""):
    """``queryset`` without the encrypted columns of its clients (``via`` the relation to them, e.g. "client"):
    lists that show no ID or phone number need not decrypt two values a row."""
    return queryset.defer(*(f"{via}__{name}" if via else name for name in ENCRYPTED_FIELDS))


class ClientQuerySet(ScopedQuerySet):
    scope_fields = {"org_field": "org_unit", "owner_field": "advisor", "submitter_field": None}

    def search(self, text: str):
        """Any part of the name, any part of the client number in any case, or an exact phone number."""
        text = "".join(text.split()).lower()
        if not text:
            return self
        # The pieces narrow through the index; the LIKE recheck makes a longer text match as a whole.
        pieces = [text] if len(text) <= 3 else narrowing_pieces(sorted({text[i:i + 3] for i in range(len(text) - 2)}))
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
        """Clients with a callback due now (PRODUCT.md "Contacts and callbacks"), under the plan in force today for
        their unit and tier (``CallbackPlan.objects.in_force``); any of the three kinds makes a client due:

        - the plan's routine callback: no effective contact within the plan's interval (``plan_due``);
        - a 大额销售回访: a large sale (not a deposit, amount ≥ the plan's threshold) not yet called back — no
          effective contact of that purpose on or after the sale day; due from the sale, by the sale day + the
          plan's days (``large_sale_due_on``, the earliest open one). A sale older than the satisfaction cycle is
          no longer chased on its own: the cycle's satisfaction callback covers it, and an imported history of
          sales does not flood the lists at go-live;
        - a 满意度回访: none in the plan's satisfaction cycle (a year by default), counted from the last one or,
          for a client never given one, from becoming a client (``satisfaction_due``).

        Also annotates ``last_effective_contact`` (``None``: never reached) and ``callback_interval`` (days).
        """
        return self.with_callbacks(now=now).filter(Q(plan_due=True) | Q(satisfaction_due=True)
                                                   | Q(large_sale_due_on__isnull=False))

    def with_callbacks(self, *, now):
        """The annotations of :meth:`callback_due` on every row, due or not."""
        today = timezone.localdate(now)
        plans = CallbackPlan.objects.in_force(today)
        called_back = Contact.objects.filter(client=OuterRef(OuterRef("pk")), effective=True,
                                             purpose=ContactPurpose.CALLBACK_LARGE_SALE,
                                             occurred_at__date__gte=OuterRef("sold_on"))
        open_sale = (ProductSale.objects.filter(client=OuterRef("pk"), amount__gte=OuterRef("large_sale_threshold"),
                                                sold_on__gt=OuterRef("satisfaction_since"))
                     .exclude(product_category=ProductCategory.DEPOSIT).filter(~Exists(called_back))
                     .order_by("sold_on").values("sold_on")[:1])
        plan_due, satisfaction_due = _routine_due(now)
        return (self.annotate(
                    callback_interval=plans.expression("interval_days"),
                    large_sale_threshold=plans.expression("large_sale_threshold"),
                    large_sale_days=plans.expression("large_sale_days"),
                    satisfaction_months=plans.expression("satisfaction_months"),
                    last_effective_contact=F("last_effective_contact_at"),
                    last_satisfaction_callback=F("last_satisfaction_at"))
                .annotate(satisfaction_since=Cast(Value(today) - _interval("satisfaction_months", "months"),
                                                  models.DateField()))
                .annotate(
                    plan_due=plan_due, satisfaction_due=satisfaction_due,
                    large_sale_on=Subquery(open_sale))
                .annotate(large_sale_due_on=ExpressionWrapper(F("large_sale_on") + F("large_sale_days"),
                                                              output_field=models.DateField())))


    def callback_due_soon(self, *, now, days: int = CALLBACK_DUE_SOON_DAYS):
        """Clients not due a callback yet but due within ``days``: the routine or satisfaction rule of
        :meth:`callback_due` read ``days`` ahead, on clients it does not make due now. (A large sale is due from
        the sale day, so it is never "soon": one due ``days`` ahead is due now.) Both readings are columns of the
        same row: no second pass over the clients to subtract."""
        plan_due_later, satisfaction_due_later = _routine_due(now + timedelta(days=days))
        return (self.with_callbacks(now=now)
                .annotate(plan_due_later=plan_due_later, satisfaction_due_later=satisfaction_due_later)
                .filter(Q(plan_due_later=True) | Q(satisfaction_due_later=True), plan_due=False,
                        satisfaction_due=False, large_sale_due_on__isnull=True))

    def follow_up_due(self, *, start: datetime, end: datetime):
        """Clients with a scheduled next action (``Contact.next_action_at``) in ``[start, end)`` and no effective
        contact since the contact that scheduled it: the follow-up is still open."""
        done_since = Contact.objects.filter(client=OuterRef("client"), effective=True,
                                            occurred_at__gt=OuterRef("occurred_at"))
        open_actions = Contact.objects.filter(client=OuterRef("pk"), next_action_at__gte=start,
                                              next_action_at__lt=end).filter(~Exists(done_since))
        return self.filter(Exists(open_actions))

    def in_callback_state(self, state: str, *, now):
        """The clients of a :class:`CallbackState` at ``now``: one entry point for the list filter and the
        dashboards' nightly counts."""
        return self.callback_due(now=now) if state == CallbackState.OVERDUE else self.callback_due_soon(now=now)

    def in_follow_up_state(self, state: str, *, now):
        """The clients of a :class:`FollowUpState` on ``now``'s local day (overdue: the days before, back to
        ``FOLLOW_UP_LOOKBACK_DAYS``)."""
        today = datetime.combine(timezone.localdate(now), time.min, tzinfo=timezone.get_current_timezone())
        if state == FollowUpState.TODAY:
            return self.follow_up_due(start=today, end=today + timedelta(days=1))
        return self.follow_up_due(start=today - timedelta(days=FOLLOW_UP_LOOKBACK_DAYS), end=today)

    def reassigned_between(self, *, start: datetime | None, end: datetime | None):
        """Clients given a new advisor between ``start`` and ``end``, both included (``None``: open) —
        :class:`Reassignment`, written by the reassign service."""
        bounds = {key: value for key, value in (("at__gte", start), ("at__lte", end)) if value is not None}
        return self.filter(Exists(Reassignment.objects.filter(client=OuterRef("pk"), **bounds)))


def _routine_due(now) -> tuple[Case, Case]:
    """The routine and the satisfaction callback rules at ``now``, over the plan annotations of
    :meth:`ClientQuerySet.with_callbacks`: no effective contact within the interval; no satisfaction callback in
    the cycle, counted from becoming a client for one never given any."""
    since = ExpressionWrapper(Value(now) - _interval("callback_interval", "days"), output_field=models.DateTimeField())
    cycle_start = ExpressionWrapper(Value(now) - _interval("satisfaction_months", "months"),
                                    output_field=models.DateTimeField())
    plan_due = Case(When(callback_interval__isnull=True, then=False),
                    When(Q(last_effective_contact__isnull=True) | Q(last_effective_contact__lt=since), then=True),
                    default=False)
    satisfaction_due = Case(
        When(satisfaction_months__isnull=True, then=False),
        When(Q(last_satisfaction_callback__lt=cycle_start)
             | Q(last_satisfaction_callback__isnull=True, created_at__lt=cycle_start), then=True),
        default=False)
    return plan_due, satisfaction_due


def _interval(field: str, unit: str) -> Func:
    return Func(F(field), template=f"make_interval({unit} => %(expressions)s)", output_field=models.DurationField())


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
    # Since when the client's basis has been below the floor of its tier while the policy's downgrade grace
    # holds the tier (null: not below, or no grace); the months-below counter of the recompute.
    tier_below_since = models.DateField(_("低于门槛起始"), null=True, blank=True)
    # Kept by a statement-level trigger on contacts (migrations 0013, 0015), so every way a contact arrives (the
    # page, the API, an import, a COPY) keeps them; the client list sorts by the first and the callback rules
    # read the other two without aggregating 10M contacts.
    last_contact_at = models.DateTimeField(_("最近接触"), null=True, blank=True, editable=False)
    last_effective_contact_at = models.DateTimeField(_("上次有效接触"), null=True, blank=True, editable=False)
    last_satisfaction_at = models.DateTimeField(_("上次满意度回访"), null=True, blank=True, editable=False)
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
            models.Index(tier_rank(), F("aum"), F("id"), name="client_tier_rank_aum_id"),
            models.Index(last_contact(), F("id"), name="client_last_contact_id"),
            # Prefix search on the name (LIKE 'x%') needs pattern ops under a non-C collation.
            models.Index(fields=["name"], name="client_name_prefix", opclasses=["varchar_pattern_ops"]),
            GinIndex(search_grams(), name="client_search_grams"),
            # The lists by AUM, largest first (tiers' near-threshold and reassign pages), walked in order and
            # stopped at the page: the near-threshold one holds only those clients, the predicate of its page.
            models.Index(fields=["-aum", "-id"], name="client_near_threshold_aum", condition=Q(near_threshold=True)),
            # An advisor's own near-threshold clients ("my day", their near-threshold page): walking the bank's
            # near-threshold index for one advisor's few read every near-threshold client at 1M.
            models.Index(fields=["advisor", "-aum", "-id"], name="client_advisor_near_threshold",
                         condition=Q(near_threshold=True)),
            models.Index(fields=["-aum", "-id"], name="client_aum_id"),
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
    # The month's average daily balance (月日均) as core banking computed it, on a row of that month (usually
    # the month-end); the tier recompute prefers it to its own average of the daily snapshots.
    avg_daily_aum = models.DecimalField(_("月日均"), null=True, blank=True, **MONEY)

    class Meta:
        verbose_name = _("资产快照")
        verbose_name_plural = _("资产快照")
        ordering = ["client", "-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["client", "as_of"], name="aum_snapshot_one_per_day"),
            models.CheckConstraint(condition=Q(aum__gte=0), name="aum_snapshot_not_negative"),
            models.CheckConstraint(condition=Q(avg_daily_aum__isnull=True) | Q(avg_daily_aum__gte=0),
                                   name="aum_snapshot_avg_not_negative"),
        ]
        indexes = [models.Index(fields=["as_of"], name="aum_snapshot_as_of")]

    def __str__(self):
        return f"{self.client_id} {self.as_of} {self.aum}"


class _AnyOf(Lookup):
    """``lhs = ANY(<array>)`` (e.g. of an ``ArraySubquery``): PostgreSQL probes an index once per element instead of
    planning a join."""

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


class ContactQuerySet(ScopedQuerySet):
    # A contact belongs to the client relationship: the client's advisor and managers above see it.
    scope_fields = {"org_field": "client__org_unit", "owner_field": "client__advisor", "submitter_field": None}

    def visible_to(self, user):
        """The same rows as ``scope_fields`` say; for an advisor or account manager written as ``client_id =
        ANY(ARRAY(<their clients>))``, so that PostgreSQL reads each of their clients' contacts from the
        (client, occurred_at, id) index instead of walking the whole table's time order and dropping
        other advisors' rows (a cost that grew with the table, not with the advisor's book)."""
        if user and user.is_authenticated and user.effective_role in RELATIONSHIP_ROLES:
            mine = Client.objects.visible_to(user).order_by().values("pk")
            return self.filter(_AnyOf(F("client_id"), ArraySubquery(mine)))
        return super().visible_to(user)


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
            # Latest first, in the API's keyset order: per client (an advisor's scope is their clients) and
            # bank-wide (managers, head office).
            models.Index(fields=["client", "-occurred_at", "-id"], name="contact_client_time_id"),
            models.Index(fields=["-occurred_at", "-id"], name="contact_time_id"),
            models.Index(fields=["staff", "occurred_at"], name="contact_staff_time"),
            # Few contacts schedule a next action: the open follow-ups of a day are a short range of this.
            models.Index(fields=["next_action_at"], condition=Q(next_action_at__isnull=False),
                         name="contact_next_action"),
            # "My day" callbacks: the few contacts with a follow-up date, per client (performance.selectors.my_day).
            models.Index(fields=["client", "next_action_at"], name="contact_client_next_action",
                         condition=Q(next_action_at__isnull=False)),
            # Whether a client's large sale was called back (ClientQuerySet.with_callbacks), probed per client of
            # an advisor's list: only these contacts, not every contact of the client read and filtered.
            models.Index(fields=["client", "occurred_at"], name="contact_large_sale_callback",
                         condition=Q(effective=True, purpose=ContactPurpose.CALLBACK_LARGE_SALE)),
        ]

    def __str__(self):
        return f"{self.client_id} {self.get_channel_display()} {self.occurred_at:%Y-%m-%d}"


class Reassignment(models.Model):
    """A client given a new advisor by a manager (改派), one row per change, written by
    ``clients.services.reassign_client`` beside the audit event.

    The dashboards count a period's reassignments of an org subtree from this indexed table instead of searching
    the audit log; ``org_unit`` is the client's unit at the time, so a later move does not rewrite the past.
    """

    client = models.ForeignKey(Client, verbose_name=_("客户"), on_delete=models.CASCADE,
                               related_name="reassignments")
    org_unit = models.ForeignKey("org.OrgUnit", verbose_name=_("所属机构"), on_delete=models.PROTECT,
                                 related_name="reassignments")
    from_advisor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("原管户顾问"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    to_advisor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("新管户顾问"), on_delete=models.PROTECT,
                                   related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True,
                              on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("改派时间"))

    class Meta:
        verbose_name = _("客户改派")
        verbose_name_plural = _("客户改派")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["org_unit", "at"], name="reassignment_unit_time"),
            models.Index(fields=["client", "at"], name="reassignment_client_time"),
        ]

    def __str__(self):
        return f"{self.client_id} {self.from_advisor_id}→{self.to_advisor_id} {self.at:%Y-%m-%d}"


class ProductSale(models.Model):
    client = models.ForeignKey(Client, verbose_name=_("客户"), on_delete=models.CASCADE, related_name="sales")
    sold_on = models.DateField(_("销售日期"))
    product_category = models.CharField(_("产品类别"), max_length=20, choices=ProductCategory.choices)
    amount = models.DecimalField(_("金额"), **MONEY)
    fee_income = models.DecimalField(_("中间业务收入"), default=0, **MONEY)
    advisor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("销售顾问"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="sales")
    # Term products (理财、定期、信托 …) as the sales feed reports them; the advisor reaches the client before the
    # money comes free ("my day": maturing in 30 days). Empty: no term.
    matures_on = models.DateField(_("到期日"), null=True, blank=True)

    class Meta:
        verbose_name = _("产品销售")
        verbose_name_plural = _("产品销售")
        ordering = ["-sold_on", "-id"]
        constraints = [
            # Core banking sends no sale id: the row itself is the key, so a re-import changes nothing.
            models.UniqueConstraint(fields=["client", "sold_on", "product_category", "amount"],
                                    name="product_sale_natural_key"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="product_sale_amount_not_negative"),
            models.CheckConstraint(condition=Q(matures_on__isnull=True) | Q(matures_on__gte=F("sold_on")),
                                   name="product_sale_matures_after_sale"),
        ]
        indexes = [
            models.Index(fields=["advisor", "sold_on"], name="sale_advisor_day"),
            # the next 30 days of maturities: a short range of the few sales with a term
            models.Index(fields=["matures_on"], name="sale_maturity", condition=Q(matures_on__isnull=False)),
        ]

    def __str__(self):
        return f"{self.client_id} {self.sold_on} {self.get_product_category_display()} {self.amount}"


class CallbackPlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(unit_rules_q(user))

    def in_force(self, day) -> "PlansInForce":
        """The plans that apply on ``day``: the bank default per tier and each unit's override (two queries)."""
        latest = (self.filter(effective_from__lte=day).order_by("org_unit_id", "tier", "-effective_from")
                  .distinct("org_unit_id", "tier").select_related("org_unit"))
        defaults, overrides = {}, []
        for plan in latest:
            if plan.org_unit_id is None:
                defaults[plan.tier] = plan
            else:
                overrides.append(plan)
        by_unit = {}
        if overrides:
            # Every unit under an override, resolved to the nearest one (a sub-branch's beats its branch's).
            overrides.sort(key=lambda plan: len(plan.org_unit.path))
            paths = Q()
            for plan in overrides:
                paths |= Q(path__startswith=plan.org_unit.path)
            for unit_id, path in OrgUnit.objects.filter(paths).values_list("id", "path"):
                for plan in overrides:
                    if path.startswith(plan.org_unit.path):
                        by_unit[(unit_id, plan.tier)] = plan
        return PlansInForce(defaults=defaults, by_unit=by_unit)


class PlansInForce:
    """Which ``CallbackPlan`` applies to a client on a day: the override of the client's own unit or its
    nearest ancestor (支行 before 分行), else the bank's default for the client's tier (分、支行共同制定)."""

    FIELDS = ("interval_days", "large_sale_threshold", "large_sale_days", "satisfaction_months")

    def __init__(self, *, defaults: dict, by_unit: dict):
        self.defaults, self.by_unit = defaults, by_unit

    def for_client(self, client) -> "CallbackPlan | None":
        return self.by_unit.get((client.org_unit_id, client.tier)) or self.defaults.get(client.tier)

    def expression(self, field: str, *, unit="org_unit_id", tier="tier"):
        """One plan value per row as SQL (``CASE``): the same resolution for a whole queryset in one query."""
        output = CallbackPlan._meta.get_field(field)
        grouped: dict[tuple, list[int]] = {}
        for (unit_id, plan_tier), plan in self.by_unit.items():
            grouped.setdefault((plan_tier, getattr(plan, field)), []).append(unit_id)
        whens = [When(Q(**{tier: plan_tier, f"{unit}__in": sorted(ids)}), then=Value(value, output_field=output))
                 for (plan_tier, value), ids in grouped.items()]
        whens += [When(Q(**{tier: plan_tier}), then=Value(getattr(plan, field), output_field=output))
                  for plan_tier, plan in self.defaults.items()]
        return Case(*whens, default=Value(None, output_field=output), output_field=output)

    def rows(self, units) -> list[tuple]:
        """``(org_unit_id, tier, interval_days, large_sale_threshold, large_sale_days, satisfaction_months)`` for
        every unit id in ``units`` and tier: the table the set-based KPI joins clients to."""
        out = []
        for unit_id in units:
            for plan_tier in Tier.values:
                plan = self.by_unit.get((unit_id, plan_tier)) or self.defaults.get(plan_tier)
                if plan is not None:
                    out.append((unit_id, plan_tier, *(getattr(plan, field) for field in self.FIELDS)))
        return out


class CallbackPlan(models.Model):
    """How a client of a tier is called back (回访计划), from a day on: the interval between effective contacts,
    the large sale that calls for a 大额销售回访 and within how many days, and the satisfaction callback cycle.

    Data, not code (ARCHITECTURE.md). Head office sets the bank's default per tier (``org_unit`` empty; defaults
    from a data migration: 总行级 monthly, 分行级 quarterly, 支行级 twice a year; 100万 within 7 days; yearly
    satisfaction). A branch or sub-branch may set its own plan for a tier (plans are made by 分行 and 支行
    together): it applies to the clients of that unit and below. Rows are added, never edited, so that past
    figures stay explainable by the plan they used.
    """

    tier = models.CharField(_("客户层级"), max_length=20, choices=Tier.choices)
    org_unit = models.ForeignKey("org.OrgUnit", verbose_name=_("机构（为空则为全行默认）"), null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="callback_plans")
    effective_from = models.DateField(_("生效日期"))
    interval_days = models.PositiveSmallIntegerField(_("回访间隔（天）"))
    large_sale_threshold = models.DecimalField(_("大额销售金额（元）"), **MONEY)
    large_sale_days = models.PositiveSmallIntegerField(_("大额销售回访时限（天）"))
    satisfaction_months = models.PositiveSmallIntegerField(_("满意度回访周期（月）"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("设置人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CallbackPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("回访计划")
        verbose_name_plural = _("回访计划")
        ordering = ["org_unit", "tier", "-effective_from"]
        constraints = [
            models.CheckConstraint(condition=Q(interval_days__gt=0), name="callback_plan_interval_positive"),
            models.CheckConstraint(condition=Q(large_sale_threshold__gt=0, large_sale_days__gt=0,
                                               satisfaction_months__gt=0), name="callback_plan_values_positive"),
            models.UniqueConstraint(fields=["tier", "effective_from"], condition=Q(org_unit__isnull=True),
                                    name="callback_plan_default_day"),
            models.UniqueConstraint(fields=["org_unit", "tier", "effective_from"], condition=Q(org_unit__isnull=False),
                                    name="callback_plan_unit_day"),
        ]

    def __str__(self):
        return f"{self.org_unit or _('全行默认')} {self.get_tier_display()} {self.effective_from:%Y-%m-%d}"


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
    # Rows with at least one error, and all errors (``errors`` keeps only the first ones).
    rejected = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    # The resume cursor: data rows read so far (each chunk's rows, counts and errors commit together), of
    # ``rows_total`` counted before anything is applied.
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Uploaded to be looked at first: not run until confirmed.
    preview = models.BooleanField(default=False)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
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

    @property
    def has_rejected_rows(self) -> bool:
        return self.status == ImportStatus.DONE and self.rejected > 0
