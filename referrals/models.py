from django.conf import settings
from django.db import models
from django.db.models import BooleanField, Case, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from clients.choices import AcquisitionChannel, ContactChannel
from referrals.choices import (
    OPEN_STATUSES,
    BusinessLine,
    ClientSource,
    EventKind,
    LinkDirection,
    ReferralStatus,
)
from wealthcrm.crypto import EncryptedTextField, mask_phone
from wealthcrm.money import MONEY_DIGITS
from wealthcrm.org.choices import BANK_WIDE_ROLES, RELATIONSHIP_ROLES, Role
from wealthcrm.org.scope import NOTHING, ScopedQuerySet, scope_q

MONEY = MONEY_DIGITS


def _actionable_q(user) -> Q:
    """Who may act on a referral: the assigned advisor, or a manager whose subtree holds the advisor's unit,
    or the referrer's unit (a referral crosses units: an outlet refers to the branch centre) — the latter only
    for a prospect or a client the manager may see, so that referring a client of another branch never opens
    it to the referring side (API.md "Security")."""
    if not (user and user.is_authenticated):
        return NOTHING
    role = user.effective_role
    if role in BANK_WIDE_ROLES:
        return Q()
    if role in RELATIONSHIP_ROLES:
        # their own follow-ups: the referral's advisor is them (the referring side's rule and the advisor's both
        # come down to that for a relationship manager)
        return scope_q(user, org_field=None, owner_field="advisor")
    if role != Role.BRANCH_MANAGER or user.org_unit_id is None:
        return NOTHING
    units = user.org_unit.subtree_ids
    return ((Q(org_unit__in=units) & (Q(client__isnull=True) | Q(client_unit__in=units)))
            | Q(advisor_unit__in=units))


class ReferralQuerySet(ScopedQuerySet):
    scope_fields = {"org_field": "org_unit", "owner_field": "advisor", "submitter_field": "referrer"}

    def visible_to(self, user):
        """Everyone who may act on it (``actionable_by``) plus the referrer, who sees its status only."""
        if not (user and user.is_authenticated):
            return self.none()
        if user.effective_role in BANK_WIDE_ROLES:
            return self.all()
        return self.filter(_actionable_q(user) | Q(referrer=user))

    def actionable_by(self, user):
        return self.filter(_actionable_q(user))

    def assigned_to(self, user):
        """The user's own follow-ups: referrals in their scope assigned to them."""
        return self.visible_to(user).filter(advisor=user.pk)

    def referred_by(self, user):
        """What the user referred (its status, for the referrer), within their scope."""
        return self.visible_to(user).filter(referrer=user.pk)

    def with_access(self, user):
        """Annotate ``can_act``: true where the user may act and see details, false for the referrer only."""
        q = _actionable_q(user)
        if q == Q():
            return self.annotate(can_act=Value(True, output_field=BooleanField()))
        if q == NOTHING:
            return self.annotate(can_act=Value(False, output_field=BooleanField()))
        return self.annotate(can_act=Case(When(q, then=Value(True)), default=Value(False),
                                          output_field=BooleanField()))

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


class Referral(models.Model):
    """A hall referral (厅堂识别 → 推荐 → 签约 → 跟进). Status changes go through ``services.transition`` only."""

    status = models.CharField(_("状态"), max_length=20, choices=ReferralStatus.choices,
                              default=ReferralStatus.RECOMMENDED)
    referrer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("推荐人"), on_delete=models.PROTECT,
                                 related_name="referrals_made")
    # The referrer's unit when submitting: the referral stays in that unit's numbers if the referrer moves.
    org_unit = models.ForeignKey("org.OrgUnit", verbose_name=_("推荐机构"), on_delete=models.PROTECT,
                                 related_name="referrals")
    advisor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("跟进顾问"), on_delete=models.PROTECT,
                                related_name="referrals_assigned")
    routed_to_manager = models.BooleanField(_("无可分配顾问，转负责人"), default=False)
    channel = models.CharField(_("获客渠道"), max_length=20, choices=AcquisitionChannel.choices,
                               default=AcquisitionChannel.HALL)
    # 公私联动 both ways. Database defaults too: bulk loads (bench, core-banking feeds) may leave them out.
    business_line = models.CharField(_("来源条线"), max_length=20, choices=BusinessLine.choices,
                                     default=BusinessLine.RETAIL, db_default=BusinessLine.RETAIL)
    direction = models.CharField(_("联动方向"), max_length=24, choices=LinkDirection.choices,
                                 default=LinkDirection.CORPORATE_TO_PRIVATE,
                                 db_default=LinkDirection.CORPORATE_TO_PRIVATE)
    client = models.ForeignKey("clients.Client", verbose_name=_("存量客户"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="referrals")
    client_no = models.CharField(_("客户号"), max_length=32, blank=True)
    # Where the advisor and the client are booked now, copied onto the referral by database triggers (migration
    # 0007) whenever the advisor, the client or either's unit changes: a branch manager's scope then reads only
    # the referral row, not a join to a million clients ORed with the advisors' units.
    advisor_unit = models.ForeignKey("org.OrgUnit", null=True, editable=False, on_delete=models.DO_NOTHING,
                                     db_constraint=False, db_index=False, related_name="+")
    client_unit = models.ForeignKey("org.OrgUnit", null=True, editable=False, on_delete=models.DO_NOTHING,
                                    db_constraint=False, db_index=False, related_name="+")
    # The SLA figures of the referral's turns (ReferralAssignment), recomputed by a database trigger from the turns
    # on every write of the referral or its turns (migration 0010), so the funnel counts turns without joining
    # them: turns whose deadline is settled (followed up or flagged) and of those met in time, and the deadline
    # of the current turn while still open (it counts once passed: ``sla_counts``).
    sla_turns_due = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    sla_turns_met = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    sla_open_due_at = models.DateTimeField(null=True, editable=False)
    # Blank for a prospect not (yet) linked to a client record.
    client_source = models.CharField(_("客户来源"), max_length=10, choices=ClientSource.choices, blank=True,
                                     default="", db_default="")
    prospect_name = models.CharField(_("客户姓名"), max_length=100, blank=True)
    prospect_phone = EncryptedTextField(_("手机号"), blank=True)
    prospect_phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    estimated_assets = models.DecimalField(_("预估资产"), null=True, blank=True, **MONEY)
    note = models.TextField(_("备注"), blank=True)

    recommended_at = models.DateTimeField(_("推荐时间"))
    sla_due_at = models.DateTimeField(_("跟进截止"))
    sla_breached = models.BooleanField(_("超时"), default=False)
    contacted_at = models.DateTimeField(_("联系时间"), null=True, blank=True)
    # The follow-up as the referrer reads it (PRODUCT.md: "replies to the referrer"): never assets or contact data.
    contact_channel = models.CharField(_("跟进渠道"), max_length=10, choices=ContactChannel.choices, blank=True)
    reply = models.TextField(_("跟进回复"), blank=True)
    signed_at = models.DateTimeField(_("签约时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("闭环时间"), null=True, blank=True)
    declined_at = models.DateTimeField(_("未成交时间"), null=True, blank=True)
    decline_reason = models.TextField(_("未成交原因"), blank=True)
    reminder_sent_at = models.DateTimeField(_("到期提醒时间"), null=True, blank=True)
    breach_notified_at = models.DateTimeField(_("超时通报时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("推荐")
        verbose_name_plural = _("推荐")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["advisor", "status", "sla_due_at"], name="referral_advisor_status_due"),
            models.Index(fields=["referrer", "-id"], name="referral_referrer_id"),
            models.Index(fields=["org_unit", "-id"], name="referral_org_id"),
            # A branch manager's referrals: those of their units, or whose advisor is in them (an OR of the two
            # indexes), open ones first.
            models.Index(fields=["org_unit", "status", "sla_due_at"], name="referral_org_status_due"),
            models.Index(fields=["advisor_unit", "status", "sla_due_at"], name="referral_adv_unit_status_due"),
            models.Index(fields=["client"], name="referral_client"),
            # The funnel of a period (funnel page, dashboard, monthly report) is a GROUP BY over the period's
            # referrals: everything it groups, counts and scopes by — a branch manager's scope included (the
            # referrer too) — rides in the index, read without the table.
            models.Index(fields=["recommended_at"], name="referral_recommended_funnel", include=[
                "id", "org_unit", "advisor_unit", "client_unit", "client", "advisor", "referrer", "direction",
                "business_line", "status", "contacted_at", "signed_at", "sla_turns_due", "sla_turns_met",
                "sla_open_due_at"]),
            # Open referrals bank-wide by deadline (head office's board); those past their deadline uncontacted by
            # deadline (the home page's list, the board's breached tab); breached ones newest first (the API's
            # ?sla_breached=true).
            models.Index(fields=["sla_due_at", "id"], condition=Q(status__in=OPEN_STATUSES), name="referral_open_due"),
            # The board's "unassigned" tab (routed to a manager: no advisor could take it), a few hundred of the open
            # ones: without it the tab walked every open referral by deadline and its count scanned the table.
            models.Index(fields=["sla_due_at", "id"], condition=Q(status__in=OPEN_STATUSES, routed_to_manager=True),
                         name="referral_unassigned_due"),
            models.Index(fields=["sla_due_at", "id"], condition=Q(status="recommended", sla_breached=True),
                         name="referral_breached_due"),
            models.Index(fields=["-id"], condition=Q(sla_breached=True), name="referral_breached_id"),
            # Counts of open referrals by deadline (home pages, the dashboard): read from the index alone, a branch
            # manager's scope (the client's and advisor's units, the referrer) included.
            models.Index(fields=["org_unit"], include=["id", "sla_breached", "sla_due_at", "client", "client_unit",
                                                       "advisor_unit", "referrer"],
                         condition=Q(status="recommended"), name="referral_recommended_unit"),
            # The 15-minute SLA job only ever looks at referrals nobody has contacted yet.
            models.Index(fields=["sla_due_at"], condition=Q(contacted_at__isnull=True, status="recommended"),
                         name="referral_awaiting_contact"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(estimated_assets__isnull=True) | Q(estimated_assets__gte=0),
                                   name="referral_assets_not_negative"),
            models.CheckConstraint(condition=Q(client__isnull=False) | ~Q(prospect_name=""),
                                   name="referral_has_client_or_prospect"),
            models.CheckConstraint(condition=Q(status__in=ReferralStatus.values), name="referral_status_valid"),
            # A referral from private banking goes out to the corporate side; from any other line, into it.
            models.CheckConstraint(
                condition=Q(business_line=BusinessLine.PRIVATE_BANKING,
                            direction=LinkDirection.PRIVATE_TO_CORPORATE)
                | (~Q(business_line=BusinessLine.PRIVATE_BANKING) & Q(direction=LinkDirection.CORPORATE_TO_PRIVATE)),
                name="referral_direction_matches_line"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.subject}"

    @property
    def subject(self) -> str:
        if self.client_id:
            return self.client.name
        return self.prospect_name

    @property
    def subject_masked(self) -> str:
        """What the referrer sees: the surname and the core-banking number they typed, nothing else."""
        name = self.subject
        masked = name[:1] + "*" * max(len(name) - 1, 1) if name else ""
        return f"{masked}（{self.client_no}）" if self.client_no else masked

    @property
    def prospect_phone_masked(self) -> str:
        return mask_phone(self.prospect_phone)

    @property
    def breaches(self) -> list:
        """Past and present breaches, each on the advisor who breached (from ``assignments``, prefetched on lists)."""
        return [a for a in self.assignments.all() if a.breached_at is not None]


class ReferralAssignment(models.Model):
    """One advisor's turn on a referral, with its own one-business-day clock (PRODUCT.md step 3).

    A reassignment ends the turn and starts a new one: a breach stays on the turn of the advisor who breached,
    and SLA figures count turns, so both advisors appear in them. A turn handed over after the first follow-up
    has no clock (``due_at`` empty): there is nothing left to follow up in time.
    """

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="assignments")
    advisor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("跟进顾问"), on_delete=models.PROTECT,
                                related_name="referral_assignments")
    assigned_at = models.DateTimeField(_("分配时间"))
    due_at = models.DateTimeField(_("跟进截止"), null=True, blank=True)
    followed_up_at = models.DateTimeField(_("跟进时间"), null=True, blank=True)
    breached_at = models.DateTimeField(_("超时记录时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("改派时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("推荐分配")
        verbose_name_plural = _("推荐分配")
        ordering = ["assigned_at", "id"]
        indexes = [
            models.Index(fields=["referral", "assigned_at"], name="referral_assignment_turns"),
            # The monthly SLA figures select turns by deadline.
            models.Index(fields=["due_at"], name="referral_assignment_due"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["referral"], condition=Q(ended_at__isnull=True),
                                    name="referral_one_current_assignment"),
        ]

    def __str__(self):
        return f"#{self.referral_id} → {self.advisor_id}"


def sla_counted_q(now) -> Q:
    """Turns that count in SLA figures: followed up, flagged, or still current and past due. A turn ended by a
    reassignment before its deadline does not count for anyone. (The referral's own figures, ``sla_counts``,
    follow the same rule in SQL: migration 0010.)"""
    return Q(due_at__isnull=False) & (Q(followed_up_at__isnull=False) | Q(breached_at__isnull=False)
                                      | Q(ended_at__isnull=True, due_at__lte=now))


def sla_counts(now) -> dict:
    """Aggregates of a referral queryset equal to counting its turns with ``sla_counted_q`` (and, met, those
    followed up by their deadline), read off the referral's own turn figures (``sla_turns_*``,
    ``sla_open_due_at``, kept by the trigger of migration 0010): ``sla_due``, ``sla_met``, ``breached``."""
    due = Sum(F("sla_turns_due") + Case(When(sla_open_due_at__lte=now, then=Value(1)), default=Value(0)))
    met = Sum("sla_turns_met")
    return {"sla_due": Coalesce(due, 0), "sla_met": Coalesce(met, 0), "breached": Coalesce(due - met, 0)}


class ReferralEvent(models.Model):
    """The referral's history: who did what and when (also the audit trail of the SLA job)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事件"), max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    from_status = models.CharField(max_length=20, choices=ReferralStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ReferralStatus.choices, blank=True)
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("推荐记录")
        verbose_name_plural = _("推荐记录")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["referral", "created_at"], name="referral_event_time")]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.referral_id}"
