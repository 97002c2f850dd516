"""Data scope: the one place that decides which rows a member of staff may see (PRODUCT.md "Organisation").

- head office and admin (and superusers): everything;
- branch managers: rows whose org unit lies in their org subtree;
- advisors and account managers: the rows they own (their own clients, contacts, referrals);
- hall staff: only what they submitted.

Querysets expose this as ``visible_to(user)`` by mixing in :class:`ScopedQuerySet`; views never filter by
role themselves (the scoped bases in ``wealthcrm/scoped.py`` apply it). Rows out of scope are simply absent, so
detail lookups through ``visible_to`` give 404.

The write rules sit below the read rules ("Write rules"): who may put a client where, which advisor a client,
a reassignment or a referral may be given to, who records contacts on a client. Services call them; no
module decides them again.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _

from wealthcrm.org.choices import BANK_WIDE_ROLES, MANAGER_ROLES, RELATIONSHIP_ROLES, OrgKind, Role

NOTHING = Q(pk__in=[])


def sees_everything(user) -> bool:
    return bool(user and user.is_authenticated and user.effective_role in BANK_WIDE_ROLES)


def scope_q(user, *, org_field: str | None = "org_unit", owner_field: str | None = "advisor",
            submitter_field: str | None = None) -> Q:
    """The filter for records that have an org unit, an owner and (optionally) a submitter.

    Each ``*_field`` names the lookup path on the model; ``None`` means the model has no such link, and the
    roles that depend on it see nothing.
    """
    if not (user and user.is_authenticated):
        return NOTHING
    role = user.effective_role
    if role in BANK_WIDE_ROLES:
        return Q()
    if role == Role.BRANCH_MANAGER:
        if org_field is None or user.org_unit_id is None:
            return NOTHING
        return Q(**{f"{org_field}__path__startswith": user.org_unit.path})
    if role in RELATIONSHIP_ROLES:
        return Q(**{owner_field: user.pk}) if owner_field else NOTHING
    if role == Role.HALL_STAFF:
        return Q(**{submitter_field: user.pk}) if submitter_field else NOTHING
    return NOTHING


def unit_rules_q(user, *, org_field: str = "org_unit") -> Q:
    """Rules set per org unit, with the bank's own where the unit is empty (callback plans): everyone reads the
    bank's and those of the units above them (the rules that apply to them); a branch manager also their
    subtree's; head office all. Another branch's rules read as absent."""
    if not (user and user.is_authenticated):
        return NOTHING
    if user.effective_role in BANK_WIDE_ROLES:
        return Q()
    visible = Q(**{f"{org_field}__isnull": True})
    if user.org_unit_id is not None:
        visible |= Q(**{f"{org_field}_id__in": user.org_unit.lineage_ids})
        if user.effective_role == Role.BRANCH_MANAGER:
            visible |= Q(**{f"{org_field}__path__startswith": user.org_unit.path})
    return visible


def directory_root(user):
    """The org unit whose subtree a user may look up colleagues and units in (``None``: the whole bank).

    Managers look within their own subtree; front-line staff within their branch, so that they can pick a
    colleague of the branch (e.g. the advisor a referral goes to) without seeing the rest of the bank.
    """
    if sees_everything(user):
        return None
    unit = user.org_unit
    if unit is None:
        return False
    if user.effective_role == Role.BRANCH_MANAGER or unit.kind in (OrgKind.HEAD_OFFICE, OrgKind.BRANCH):
        return unit
    return unit.ancestor_of_kind(OrgKind.BRANCH) or unit


def directory_q(user, *, org_field: str | None = "org_unit") -> Q:
    """Scope of the staff and org-unit directory; ``org_field=None`` filters org units themselves."""
    if not (user and user.is_authenticated):
        return NOTHING
    root = directory_root(user)
    if root is None:
        return Q()
    if root is False:
        return NOTHING
    prefix = "path" if org_field is None else f"{org_field}__path"
    return Q(**{f"{prefix}__startswith": root.path})


class ScopedQuerySet(models.QuerySet):
    """Mix-in for querysets of scoped records; subclasses name their links in ``scope_fields``."""

    scope_fields: dict = {"org_field": "org_unit", "owner_field": "advisor", "submitter_field": None}

    def visible_to(self, user):
        return self.filter(scope_q(user, **self.scope_fields))


# --- Write rules ----------------------------------------------------------------------------------------------

def _staff():
    # Staff is the user model; reached through the auth registry because org.models builds on this module.
    return get_user_model().objects


def serves_clients(staff) -> bool:
    """Who may be a client's advisor (管户顾问): an active advisor or account manager."""
    return bool(staff and staff.is_active and staff.role in RELATIONSHIP_ROLES)


def serving(staff):
    """Of a staff queryset, those who may take clients on: active advisors and account managers."""
    return staff.filter(role__in=RELATIONSHIP_ROLES, is_active=True)


def assignable_advisors(user):
    """Advisors a user may give a client to (create, edit, reassign): active advisors and account managers
    the user may look up — a branch manager's subtree, the whole bank for head office, nobody for others."""
    if not (user and user.is_authenticated and user.has_role(*MANAGER_ROLES)):
        return _staff().none()
    return serving(_staff().visible_to(user))


def check_client_placement(user, *, org_unit, advisor) -> None:
    """Who may put a client where (API.md "Clients"): front-line staff in their own unit as its advisor,
    branch managers within their subtree, head office anywhere. ``PermissionDenied`` for roles that never
    place clients, ``ValidationError`` naming the field otherwise."""
    role = user.effective_role
    errors = {}
    if role in RELATIONSHIP_ROLES:
        if org_unit != user.org_unit:
            errors["org_unit"] = [_("只能在本人所在机构建立客户。")]
        if advisor != user:
            errors["advisor"] = [_("管户顾问只能是本人；调整管户请联系负责人。")]
    elif role == Role.BRANCH_MANAGER:
        if not (org_unit and org_unit.is_within(user.org_unit)):
            errors["org_unit"] = [_("所选机构不在您的管辖范围内。")]
        if advisor is not None and not (advisor.org_unit and advisor.org_unit.is_within(user.org_unit)):
            errors["advisor"] = [_("所选顾问不在您的管辖范围内。")]
    elif role not in BANK_WIDE_ROLES:
        raise PermissionDenied
    if advisor is not None and not serves_clients(advisor):
        errors.setdefault("advisor", []).append(_("管户顾问须为在职的财富顾问或客户经理。"))
    if errors:
        raise ValidationError(errors)


def may_place_client(user, *, org_unit, advisor) -> bool:
    try:
        check_client_placement(user, org_unit=org_unit, advisor=advisor)
    except (PermissionDenied, ValidationError):
        return False
    return True


def may_record_contact(user, client) -> bool:
    """Only the client's own advisor, a manager whose scope holds the client, or head office records a
    contact on a client (API.md "Security") — never someone who merely holds a referral of it."""
    if not (user and user.is_authenticated) or user.effective_role == Role.HALL_STAFF:
        return False
    return type(client).objects.visible_to(user).filter(pk=client.pk).exists()


def may_set_callback_plan(user, org_unit) -> bool:
    """Who sets callback plans (PRODUCT.md "Contacts and callbacks": made by 分行 and 支行 together): head office
    the bank's defaults (``org_unit`` None) and any unit's plan; a branch manager the plan of a branch or
    sub-branch within their subtree — theirs, or a sub-branch under their branch."""
    if not (user and user.is_authenticated):
        return False
    if user.effective_role in BANK_WIDE_ROLES:
        return org_unit is None or org_unit.kind in (OrgKind.BRANCH, OrgKind.SUB_BRANCH)
    return (user.effective_role == Role.BRANCH_MANAGER and org_unit is not None and user.org_unit_id is not None
            and org_unit.kind in (OrgKind.BRANCH, OrgKind.SUB_BRANCH) and org_unit.is_within(user.org_unit))


def _branch_of(unit):
    return unit.ancestor_of_kind(OrgKind.BRANCH) if unit else None


def referral_branch(referrer, client=None):
    """The branch whose advisors a referral may go to: the client's branch for an existing client, else the
    referrer's (``None``: anywhere in the bank — head office refers prospects bank-wide)."""
    if client is not None:
        return _branch_of(client.org_unit)
    return _branch_of(referrer.org_unit)


def referral_advisors(referrer):
    """The advisors and account managers a member of staff may name on a prospect's referral: those of their
    own branch (head office and staff outside any branch: the whole bank)."""
    staff = serving(_staff())
    branch = referral_branch(referrer)
    return staff.filter(org_unit__path__startswith=branch.path) if branch is not None else staff


def check_referral_advisor(advisor, *, referrer, client=None, field: str = "advisor") -> None:
    """Who a referral may be given to (API.md "Security"). A referral of an existing client always goes to
    that client's advisor: naming anyone else is refused, so that a referral never opens another advisor's
    client to the referrer. Otherwise an active advisor, account manager or branch manager of the branch the
    referral belongs to (``referral_branch``)."""
    if client is not None and serves_clients(client.advisor):
        if advisor.pk != client.advisor_id:
            raise ValidationError({field: [_("老客户的推荐只能交给其管户顾问，请不要指定其他顾问。")]})
        return
    if not advisor.is_active or advisor.role not in (*RELATIONSHIP_ROLES, Role.BRANCH_MANAGER):
        raise ValidationError({field: [_("请选择财富顾问或客户经理。")]})
    branch = referral_branch(referrer, client)
    if branch is None:
        return
    if advisor.org_unit is None or not advisor.org_unit.is_within(branch):
        raise ValidationError({field: [_("只能推荐给本分行（%(branch)s）的顾问。") % {"branch": branch.name}]})


def check_signing_client(user, *, client, advisor) -> None:
    """Which existing client a prospect's signing may be linked to (PRODUCT.md step 4): one the referral's
    advisor already manages, or one nobody manages yet that the signer may place with that advisor
    (``check_client_placement``). Anything else is refused with one message whatever the reason, so that
    trying numbers reveals nothing about clients one may not see."""
    if client.advisor_id is not None and client.advisor_id == advisor.pk:
        return
    if client.advisor_id is None and may_place_client(user, org_unit=client.org_unit, advisor=advisor):
        return
    raise ValidationError({"client_no": [_("该客户号不能用于本次签约：请核对客户号，或请负责人处理。")]})
