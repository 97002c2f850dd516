"""Data scope: the one place that decides which rows a member of staff may see (PRODUCT.md "Organisation").

- head office and admin (and superusers): everything;
- branch managers: rows whose org unit lies in their org subtree;
- advisors and account managers: the rows they own (their own clients, contacts, referrals);
- hall staff: only what they submitted.

Querysets expose this as ``visible_to(user)`` by mixing in :class:`ScopedQuerySet`; views never filter by
role themselves. Rows out of scope are simply absent, so detail lookups through ``visible_to`` give 404.
"""

from django.db import models
from django.db.models import Q

from wealthcrm.org.choices import BANK_WIDE_ROLES, RELATIONSHIP_ROLES, OrgKind, Role

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
