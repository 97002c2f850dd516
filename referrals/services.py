"""The referral loop's business rules: submit and route, the one transition service, and the SLA job.

Views, the API, the Celery task and the demo call these; none of them changes a referral by itself.
"""

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.choices import AcquisitionChannel, ContactChannel, ContactPurpose
from clients.models import Client
from clients.services import create_client, log_contact, update_client
from referrals.choices import (
    OPEN_STATUSES,
    TRANSITIONS,
    BusinessLine,
    ClientSource,
    EventKind,
    LinkDirection,
    ReferralAction,
    ReferralStatus,
)
from referrals.models import Referral, ReferralAssignment, ReferralEvent
from tiers.models import TierPolicy
from wealthcrm.calendar.services import next_business_day_close
from wealthcrm.crypto import blind_index
from wealthcrm.money import MoneyError, parse_money
from wealthcrm.notifications.choices import NotificationKind
from wealthcrm.notifications.services import notify, notify_many
from wealthcrm.org import scope
from wealthcrm.org.choices import MANAGER_ROLES, RELATIONSHIP_ROLES, OrgKind, Role
from wealthcrm.org.models import OrgUnit, Staff
from wealthcrm.pagination import parse_id
from wealthcrm.phone import PhoneError, clean_phone
from wealthcrm.tiering import CENTRE_TIERS, Tier

logger = logging.getLogger(__name__)

# The advisor is reminded this long before the deadline (PRODUCT.md: "a reminder two hours before due").
REMINDER_LEAD = dt.timedelta(hours=2)
# PostgreSQL advisory-lock key space for "a client number being signed" ("sign" in ASCII), one lock per number.
SIGN_LOCK_KEY = 0x7369676E


class TransitionNotAllowed(Exception):
    """The action is not allowed from the referral's current status (→ HTTP 409 with that status)."""

    def __init__(self, *, action: str, status: str):
        self.action, self.status = action, status
        super().__init__(
            _("当前状态为“%(status)s”，不能执行“%(action)s”。")
            % {"status": ReferralStatus(status).label, "action": ReferralAction(action).label}
        )


# --- routing -------------------------------------------------------------------------------------------------

def tier_for_assets(amount: Decimal | None, *, on: dt.date) -> str:
    """The tier an estimated amount falls in under the tier policy effective ``on`` (thresholds are data).

    No amount → 支行级 (API.md). With no policy in force the prospect is routed as 支行级 and a warning logged.
    """
    if amount is None:
        return Tier.SUB_BRANCH
    policy = TierPolicy.objects.effective_on(on)
    if policy is None:
        logger.warning("referral routing: no tier policy effective on %s; routed as 支行级", on)
        return Tier.SUB_BRANCH
    return policy.tier_for(amount)


def _least_loaded(candidates):
    """The candidate with the fewest open referrals (ties: lowest id), in one aggregate query."""
    return (candidates.filter(is_active=True)
            .annotate(open_referrals=Count("referrals_assigned",
                                           filter=Q(referrals_assigned__status__in=OPEN_STATUSES)))
            .order_by("open_referrals", "id").first())


def _branch_of(unit: OrgUnit | None) -> OrgUnit | None:
    return unit.ancestor_of_kind(OrgKind.BRANCH) if unit else None


def route_referral(*, referrer: Staff, client: Client | None, estimated_assets: Decimal | None,
                   on: dt.date | None = None) -> tuple[Staff, bool]:
    """Pick the advisor for a referral with none chosen: ``(advisor, routed_to_manager)``.

    1. an existing client with an advisor → that advisor;
    2. 总行级/分行级 (by the client's tier, or the prospect's estimated assets under the tier policy) →
       the least-loaded advisor of the branch private-banking centre above the referrer (an existing client
       without an advisor: above the client's unit);
    3. 支行级 → the least-loaded advisor or account manager of that sub-branch subtree;
    4. nobody eligible → the branch manager, flagged so the board shows it needs assigning.
    """
    if client is not None and client.advisor_id and client.advisor.is_active:
        return client.advisor, False
    on = on or timezone.localdate()
    tier = client.tier if client is not None else tier_for_assets(estimated_assets, on=on)
    # An existing client stays with their own branch and sub-branch (scope.referral_branch), never the referrer's.
    unit = client.org_unit if client is not None else referrer.org_unit
    branch = _branch_of(unit)
    advisor = None
    if tier in CENTRE_TIERS:
        if branch is not None:
            advisor = _least_loaded(Staff.objects.filter(role=Role.ADVISOR, org_unit=branch))
    else:
        sub_branch = unit.ancestor_of_kind(OrgKind.SUB_BRANCH) if unit else None
        if sub_branch is not None:
            advisor = _least_loaded(Staff.objects.filter(role__in=RELATIONSHIP_ROLES,
                                                         org_unit__path__startswith=sub_branch.path))
    if advisor is not None:
        return advisor, False
    manager = None
    if branch is not None:
        manager = (Staff.objects.filter(role=Role.BRANCH_MANAGER, org_unit=branch, is_active=True)
                   .order_by("id").first())
    if manager is None:
        raise ValidationError({"advisor": [_("没有可以分配的顾问，也没有分行负责人：请指定跟进顾问。")]})
    return manager, True


def default_channel(referrer: Staff) -> str:
    """公私联动 for corporate account managers (account managers at branch level), 厅堂联动 for the hall."""
    if referrer.role == Role.ACCOUNT_MANAGER and referrer.org_unit and referrer.org_unit.kind == OrgKind.BRANCH:
        return AcquisitionChannel.CORPORATE_PRIVATE
    if referrer.role == Role.HALL_STAFF:
        return AcquisitionChannel.HALL
    return AcquisitionChannel.ALL_STAFF


def default_business_line(referrer: Staff) -> str:
    """公司 for corporate account managers (as ``default_channel``), 个金 for everyone else in the branch network."""
    if default_channel(referrer) == AcquisitionChannel.CORPORATE_PRIVATE:
        return BusinessLine.CORPORATE
    return BusinessLine.RETAIL


def direction_for(business_line: str) -> str:
    """From private banking a referral goes out to the corporate side; from any other line, into private banking."""
    if business_line == BusinessLine.PRIVATE_BANKING:
        return LinkDirection.PRIVATE_TO_CORPORATE
    return LinkDirection.CORPORATE_TO_PRIVATE


def _clean_linkage(referrer: Staff, business_line: str, direction: str) -> tuple[str, str]:
    """The referral's line and direction: either may be left out (API compatibility), the other is derived."""
    if business_line and business_line not in BusinessLine.values:
        raise ValidationError({"business_line": [_("来源条线无效。")]})
    if direction and direction not in LinkDirection.values:
        raise ValidationError({"direction": [_("联动方向无效：公司→私行或私行→公司。")]})
    if not business_line:
        business_line = (BusinessLine.PRIVATE_BANKING if direction == LinkDirection.PRIVATE_TO_CORPORATE
                         else default_business_line(referrer))
    if direction and direction != direction_for(business_line):
        raise ValidationError({"direction": [
            _("来自私行的推荐方向为“私行→公司”，来自其他条线的推荐方向为“公司→私行”。")]})
    return business_line, direction_for(business_line)


def _clean_assets(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return parse_money(value, label=_("预估资产"))
    except MoneyError as exc:
        raise ValidationError({"estimated_assets": [str(exc)]}) from None


def _clean_phone(value: str) -> str:
    try:
        return clean_phone(value)
    except PhoneError as exc:
        raise ValidationError({"prospect_phone": [str(exc)]}) from None


def detail_url(referral: Referral) -> str:
    return reverse("referrals:detail", args=[referral.pk])


def _current_turn(referral: Referral):
    """The referral's current assignment (a queryset, to update in place)."""
    return ReferralAssignment.objects.filter(referral=referral, ended_at__isnull=True)


def _event(referral, kind, *, actor=None, from_status="", to_status="", note="", at):
    return ReferralEvent.objects.create(referral=referral, kind=kind, actor=actor, from_status=from_status,
                                        to_status=to_status, note=note, created_at=at)


@transaction.atomic
def submit_referral(*, referrer: Staff, client: Client | int | None = None, client_no: str = "",
                    prospect_name: str = "", prospect_phone: str = "", estimated_assets=None, note: str = "",
                    advisor: Staff | None = None, channel: str = "", business_line: str = "", direction: str = "",
                    now: dt.datetime | None = None) -> Referral:
    """Record a referral, route it (unless an advisor is chosen) and start the one-business-day clock.

    ``client`` (instance or id) or ``client_no`` name an existing client — any client of the bank, since hall
    staff know numbers of clients they may not see — else ``prospect_name`` is required. ``business_line`` and
    ``direction`` (公私联动) default from the referrer's role and each other.
    """
    now = now or timezone.now()
    client_no = (client_no or "").strip()
    prospect_name = (prospect_name or "").strip()
    if isinstance(client, int | str):
        # By id only a client the referrer may see: an id is guessable, and the referral would show the
        # referrer that client's surname and number. Others are referred by the number they were told.
        client = Client.objects.visible_to(referrer).filter(pk=parse_id(client)).select_related("advisor", "org_unit").first()
        if client is None:
            raise ValidationError({"client": [_("客户不存在。")]})
    if client is None and client_no:
        client = Client.objects.filter(client_no=client_no).select_related("advisor", "org_unit").first()
        if client is None:
            raise ValidationError({"client_no": [_("客户号 %(no)s 不存在，请核对；新客户请填写姓名。")
                                                 % {"no": client_no}]})
    if client is None and not prospect_name:
        raise ValidationError({"prospect_name": [_("请填写客户号，或新客户的姓名。")]})
    if client is not None:
        client_no = client.client_no
    if len(prospect_name) > 100:
        raise ValidationError({"prospect_name": [_("姓名最多 100 个字。")]})
    amount = _clean_assets(estimated_assets)
    phone = _clean_phone(prospect_phone)
    if channel and channel not in AcquisitionChannel.values:
        raise ValidationError({"channel": [_("获客渠道无效。")]})
    business_line, direction = _clean_linkage(referrer, business_line or "", direction or "")
    if referrer.org_unit_id is None and advisor is None:
        raise ValidationError({"advisor": [_("您不属于任何机构，请指定跟进顾问。")]})
    if advisor is not None:
        scope.check_referral_advisor(advisor, referrer=referrer, client=client)
        routed_to_manager = False
    else:
        advisor, routed_to_manager = route_referral(referrer=referrer, client=client, estimated_assets=amount,
                                                    on=timezone.localdate(now))
    org_unit = referrer.org_unit or advisor.org_unit
    referral = Referral.objects.create(
        referrer=referrer, org_unit=org_unit, advisor=advisor, routed_to_manager=routed_to_manager,
        channel=channel or default_channel(referrer), business_line=business_line, direction=direction,
        client=client, client_no=client_no, client_source=ClientSource.REFERRED if client is not None else "",
        prospect_name=prospect_name, prospect_phone=phone, prospect_phone_hash=blind_index(phone),
        estimated_assets=amount, note=(note or "").strip(), status=ReferralStatus.RECOMMENDED,
        recommended_at=now, sla_due_at=next_business_day_close(now),
    )
    ReferralAssignment.objects.create(referral=referral, advisor=advisor, assigned_at=now, due_at=referral.sla_due_at)
    _event(referral, EventKind.SUBMITTED, actor=referrer, to_status=ReferralStatus.RECOMMENDED,
           note=referral.note, at=now)
    due = timezone.localtime(referral.sla_due_at)
    notify(
        recipients=[advisor], kind=NotificationKind.REFERRAL_ASSIGNED,
        title=(_("待分配推荐：%(name)s") if routed_to_manager else _("新推荐客户：%(name)s"))
        % {"name": referral.subject},
        body=_("%(referrer)s 推荐，请于 %(due)s 前联系客户。") % {"referrer": referrer, "due": f"{due:%Y-%m-%d %H:%M}"},
        url=detail_url(referral),
    )
    return referral


# --- transitions ---------------------------------------------------------------------------------------------

def _log_contact(referral: Referral, *, actor: Staff, at: dt.datetime, note: str,
                 channel: str = ContactChannel.PHONE) -> None:
    """Record the follow-up of an existing client as a Contact (it counts in the advisor's contact KPIs).

    Only by someone who may record contacts on that client (``scope.may_record_contact``): a manager who
    acts on a referral from their units does not thereby write on a client of another branch."""
    if referral.client_id is None or not scope.may_record_contact(actor, referral.client):
        return
    log_contact(client=referral.client, staff=actor, channel=channel, purpose=ContactPurpose.OTHER,
                occurred_at=at, summary=_("厅堂推荐跟进：%(note)s") % {"note": note} if note else _("厅堂推荐跟进"),
                effective=True)


# --- transitions ---------------------------------------------------------------------------------------------
# Each action's effect on the locked referral: set its fields and say which changed, the event note and the
# notices to send. ``note`` is the actor's note; an effect may replace it (decline: the reason).

def _contact(referral, *, actor, now, note, payload):
    """The first follow-up: channel and a reply the referrer reads (API.md: ``contact`` takes ``{note, channel}``)."""
    channel = payload.get("channel") or ContactChannel.PHONE
    if channel not in ContactChannel.values:
        raise ValidationError({"channel": [_("请选择联系渠道：电话、面谈、微信、会议、短信或活动。")]})
    referral.contacted_at = now
    # Late contact is allowed but stays a breach, even if the 15-minute job has not flagged it yet.
    late = now > referral.sla_due_at
    referral.sla_breached = referral.sla_breached or late
    turn = _current_turn(referral)
    turn.update(followed_up_at=now)
    if late:
        turn.filter(breached_at__isnull=True).update(breached_at=now)
    referral.contact_channel, referral.reply = channel, note
    _log_contact(referral, actor=actor, at=now, note=note, channel=channel)
    at = f"{timezone.localtime(now):%Y-%m-%d %H:%M}"
    body = (_("%(advisor)s 已于 %(at)s 联系客户：%(reply)s") % {"advisor": referral.advisor, "at": at, "reply": note}
            if note else _("%(advisor)s 已于 %(at)s 联系客户。") % {"advisor": referral.advisor, "at": at})
    notice = dict(
        recipients=[referral.referrer], kind=NotificationKind.REFERRAL_FOLLOWED_UP,
        title=_("您推荐的客户已有顾问跟进：%(name)s") % {"name": referral.subject_masked}, body=body,
        url=detail_url(referral))
    return ["contacted_at", "sla_breached", "contact_channel", "reply"], note, [notice]


def _link_client(referral, *, actor, client_no: str) -> list[str]:
    """Signing a prospect under its core-banking number (PRODUCT.md step 4): link the client with that number,
    else create it from the prospect's data under the referral's advisor, with the referral's acquisition
    channel. One signing per number at a time (an advisory lock), so two signings of one new number create one
    client. Returns the referral fields set."""
    if len(client_no) > 32:
        raise ValidationError({"client_no": [_("客户号最多 32 位。")]})
    if referral.client_id is not None:
        if client_no != referral.client.client_no:
            raise ValidationError({"client_no": [_("该推荐已关联客户，签约时无需另填客户号。")]})
        return []
    advisor = referral.advisor
    if not scope.serves_clients(advisor):
        raise ValidationError({"client_no": [_("请先将推荐改派给财富顾问或客户经理，再签约建档。")]})
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [SIGN_LOCK_KEY, client_no])
    client = Client.objects.filter(client_no=client_no).select_related("advisor", "org_unit").first()
    try:
        if client is None:
            client = create_client(actor=actor, client_no=client_no, name=referral.prospect_name,
                                   phone=referral.prospect_phone, org_unit=advisor.org_unit, advisor=advisor,
                                   acquisition_channel=referral.channel)
            source = ClientSource.CREATED
        else:
            scope.check_signing_client(actor, client=client, advisor=advisor)
            if client.advisor_id is None:
                update_client(client=client, actor=actor, advisor=advisor,
                              acquisition_channel=client.acquisition_channel or referral.channel)
            source = ClientSource.LINKED
    except PermissionDenied:
        raise ValidationError({"client_no": [_("您不能为该推荐签约建档，请联系负责人。")]}) from None
    except ValidationError as exc:
        # Placement errors name org_unit/advisor, which the signer did not send: report them on the number.
        raise ValidationError({"client_no": exc.messages}) from None
    referral.client, referral.client_no, referral.client_source = client, client_no, source
    return ["client", "client_no", "client_source"]


def _sign(referral, *, actor, now, note, payload):
    """Signed; a prospect with a core-banking number given is linked to (or creates) that client."""
    client_no = str(payload.get("client_no") or "").strip()
    changed = _link_client(referral, actor=actor, client_no=client_no) if client_no else []
    referral.signed_at = now
    notice = dict(
        recipients=[referral.referrer], kind=NotificationKind.REFERRAL_UPDATED,
        title=_("您推荐的客户已签约：%(name)s") % {"name": referral.subject_masked},
        body=_("推荐业绩同时计入推荐人和跟进顾问。"), url=detail_url(referral))
    return ["signed_at", *changed], note, [notice]


def _decline(referral, *, actor, now, note, payload):
    reason = str(payload.get("reason") or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请填写未成交原因。")]})
    referral.declined_at, referral.decline_reason = now, reason
    return ["declined_at", "decline_reason"], reason, []


def _close(referral, *, actor, now, note, payload):
    referral.closed_at = now
    return ["closed_at"], note, []


def _reassign(referral, *, actor, now, note, payload):
    new_advisor = payload.get("advisor")
    if isinstance(new_advisor, str):  # from a form: "abc" or "²" is no advisor, not a 500
        new_advisor = parse_id(new_advisor)
    if isinstance(new_advisor, int):
        new_advisor = Staff.objects.filter(pk=new_advisor).select_related("org_unit").first()
    if new_advisor is None:
        raise ValidationError({"advisor": [_("请选择新的跟进顾问。")]})
    if new_advisor.pk == referral.advisor_id:
        raise ValidationError({"advisor": [_("新顾问与当前顾问相同。")]})
    scope.check_referral_advisor(new_advisor, referrer=referral.referrer, client=referral.client)
    if not Staff.objects.visible_to(actor).filter(pk=new_advisor.pk).exists():
        raise ValidationError({"advisor": [_("只能改派给您管辖范围内的顾问。")]})
    note = note or _("由 %(old)s 改派给 %(new)s") % {"old": referral.advisor, "new": new_advisor}
    turn = _current_turn(referral)
    # A deadline missed before the hand-over is the outgoing advisor's breach, flagged by the job or not yet.
    turn.filter(followed_up_at__isnull=True, due_at__lt=now, breached_at__isnull=True).update(breached_at=now)
    turn.update(ended_at=now)
    referral.advisor = new_advisor
    referral.routed_to_manager = False
    changed = ["advisor", "routed_to_manager"]
    clock = referral.status == ReferralStatus.RECOMMENDED
    if clock:
        # The new owner gets a full business day on a clock of their own; the old turn keeps its breach.
        referral.recommended_at = now
        referral.sla_due_at = next_business_day_close(now)
        referral.sla_breached = False
        referral.reminder_sent_at = referral.breach_notified_at = None
        changed += ["recommended_at", "sla_due_at", "sla_breached", "reminder_sent_at", "breach_notified_at"]
        body = _("请于 %(due)s 前联系客户。") % {"due": f"{timezone.localtime(referral.sla_due_at):%Y-%m-%d %H:%M}"}
    else:
        body = _("客户已联系过，请继续跟进。")
    ReferralAssignment.objects.create(referral=referral, advisor=new_advisor, assigned_at=now,
                                      due_at=referral.sla_due_at if clock else None)
    notice = dict(
        recipients=[new_advisor], kind=NotificationKind.REFERRAL_ASSIGNED,
        title=_("改派给您的推荐客户：%(name)s") % {"name": referral.subject}, body=body, url=detail_url(referral))
    return changed, note, [notice]


@dataclass(frozen=True)
class Move:
    """One allowed move: the statuses it starts from and leads to (``TRANSITIONS``), who may make it, its effect."""

    allowed_from: tuple[str, ...]
    to_status: str | None  # None keeps the status
    effect: Callable
    managers_only: bool = False


# The one table of allowed moves (API.md "Referrals").
MOVES = {
    ReferralAction.CONTACT: Move(*TRANSITIONS[ReferralAction.CONTACT], _contact),
    ReferralAction.SIGN: Move(*TRANSITIONS[ReferralAction.SIGN], _sign),
    ReferralAction.DECLINE: Move(*TRANSITIONS[ReferralAction.DECLINE], _decline),
    ReferralAction.CLOSE: Move(*TRANSITIONS[ReferralAction.CLOSE], _close),
    ReferralAction.REASSIGN: Move(*TRANSITIONS[ReferralAction.REASSIGN], _reassign, managers_only=True),
}


def transition(*, referral_id: int, action: str, actor: Staff, now: dt.datetime | None = None,
               **payload) -> Referral:
    """Apply one action to a referral under a row lock, so that concurrent actions cannot both succeed.

    Raises ``Referral.DoesNotExist`` when the actor may not act on it (→ 404), ``PermissionDenied`` for
    reassign by a non-manager, ``TransitionNotAllowed`` from the wrong status (→ 409), ``ValidationError``
    for bad payload (→ 400). Payload: ``note`` (contact/sign/close), ``channel`` (contact), ``client_no`` (sign),
    ``reason`` (decline), ``advisor`` (reassign).
    """
    move = MOVES.get(action)
    if move is None:
        raise ValidationError({"action": [_("未知操作。")]})
    with transaction.atomic():
        now = now or timezone.now()
        referral = (Referral.objects.actionable_by(actor).select_for_update(of=("self",))
                    .select_related("referrer", "advisor", "client").get(pk=referral_id))
        if move.managers_only and not actor.has_role(*MANAGER_ROLES):
            raise PermissionDenied(_("只有负责人可以改派推荐。"))
        if referral.status not in move.allowed_from:
            raise TransitionNotAllowed(action=action, status=referral.status)
        from_status = referral.status
        changed, note, notices = move.effect(referral, actor=actor, now=now, payload=payload,
                                             note=str(payload.get("note") or "").strip())
        if move.to_status is not None:
            referral.status = move.to_status
        referral.save(update_fields=["status", "updated_at", *changed])
        _event(referral, action, actor=actor, from_status=from_status, to_status=referral.status, note=note, at=now)
        for notice in notices:
            notify(**notice)
    return referral


# --- SLA job -------------------------------------------------------------------------------------------------

def _managers_by_unit(units: list[OrgUnit]) -> dict[int, list[Staff]]:
    """Branch and sub-branch managers above each unit (by id), from one query."""
    ancestors = {unit.pk: unit.lineage_ids for unit in units}
    all_ids = {pk for ids in ancestors.values() for pk in ids}
    managers = list(Staff.objects.filter(role=Role.BRANCH_MANAGER, is_active=True, org_unit_id__in=all_ids,
                                         org_unit__kind__in=(OrgKind.BRANCH, OrgKind.SUB_BRANCH)))
    return {pk: [m for m in managers if m.org_unit_id in ids] for pk, ids in ancestors.items()}


def check_sla(*, now: dt.datetime | None = None) -> dict:
    """Flag breached referrals and warn about those due soon; safe to run any number of times.

    - due within two hours, not contacted, not reminded → one reminder to the advisor;
    - past due, not contacted, not flagged → ``sla_breached`` and the branch managers above the advisor are
      notified (in the app and by e-mail).
    Each is one locked SELECT of ids (``skip_locked``: a referral being acted on right now is left for the next
    run) and one UPDATE; notifications go out in one bulk insert. Returns ``{"reminded": n, "breached": n}``.
    """
    now = now or timezone.now()
    awaiting = Referral.objects.filter(status=ReferralStatus.RECOMMENDED, contacted_at__isnull=True)
    with transaction.atomic():
        due_soon_ids = list(
            awaiting.filter(reminder_sent_at__isnull=True, sla_breached=False,
                            sla_due_at__gt=now, sla_due_at__lte=now + REMINDER_LEAD)
            .select_for_update(skip_locked=True).values_list("pk", flat=True))
        Referral.objects.filter(pk__in=due_soon_ids).update(reminder_sent_at=now, updated_at=now)
        breached_ids = list(
            awaiting.filter(sla_breached=False, sla_due_at__lt=now)
            .select_for_update(skip_locked=True).values_list("pk", flat=True))
        Referral.objects.filter(pk__in=breached_ids).update(sla_breached=True, breach_notified_at=now,
                                                            updated_at=now)
        ReferralAssignment.objects.filter(referral_id__in=breached_ids, ended_at__isnull=True,
                                          breached_at__isnull=True).update(breached_at=now)
        breached_set = set(breached_ids)
        touched = list(Referral.objects.filter(pk__in=due_soon_ids + breached_ids)
                       .select_related("advisor__org_unit", "client"))
        ReferralEvent.objects.bulk_create([
            ReferralEvent(referral=r, kind=EventKind.BREACHED if r.pk in breached_set else EventKind.REMINDED,
                          from_status=r.status, to_status=r.status, created_at=now)
            for r in touched
        ])
        breached = [r for r in touched if r.pk in breached_set]
        managers = _managers_by_unit(list({r.advisor.org_unit.pk: r.advisor.org_unit
                                           for r in breached if r.advisor.org_unit_id}.values()))
        items = []
        for r in touched:
            due = f"{timezone.localtime(r.sla_due_at):%Y-%m-%d %H:%M}"
            if r.pk in breached_set:
                for manager in managers.get(r.advisor.org_unit_id, []):
                    if manager.pk == r.advisor_id:
                        continue
                    items.append({"recipient": manager, "kind": NotificationKind.REFERRAL_BREACHED,
                                  "title": _("推荐超时未跟进：%(name)s（%(advisor)s）")
                                  % {"name": r.subject, "advisor": r.advisor},
                                  "body": _("跟进截止 %(due)s，顾问 %(advisor)s 尚未联系客户。")
                                  % {"due": due, "advisor": r.advisor},
                                  "url": detail_url(r)})
                items.append({"recipient": r.advisor, "kind": NotificationKind.REFERRAL_BREACHED,
                              "title": _("推荐已超时：%(name)s") % {"name": r.subject},
                              "body": _("跟进截止 %(due)s 已过，请尽快联系客户。") % {"due": due},
                              "url": detail_url(r)})
            else:
                items.append({"recipient": r.advisor, "kind": NotificationKind.REFERRAL_DUE_SOON,
                              "title": _("推荐即将到期：%(name)s") % {"name": r.subject},
                              "body": _("请于 %(due)s 前联系客户。") % {"due": due},
                              "url": detail_url(r)})
        notify_many(items)
    return {"reminded": len(due_soon_ids), "breached": len(breached_ids)}
