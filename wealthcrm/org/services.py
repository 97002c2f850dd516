"""Operations on the organisation and its staff."""

import hashlib
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wealthcrm.org.choices import Role
from wealthcrm.org.models import ApiToken, OrgUnit, SignInGuard, Staff, TrustedSignInAddress

logger = logging.getLogger(__name__)

# API.md "Security": a role never grants one above its own; these are managed by admins only.
ROLE_RANK = {Role.HALL_STAFF: 0, Role.ACCOUNT_MANAGER: 0, Role.ADVISOR: 0, Role.BRANCH_MANAGER: 1,
             Role.HEAD_OFFICE: 2, Role.ADMIN: 3}
ADMIN_MANAGED_ROLES = frozenset({Role.ADMIN, Role.HEAD_OFFICE})


@transaction.atomic
def create_org_unit(*, code: str, name: str, kind: str, parent: OrgUnit | None = None) -> OrgUnit:
    unit = OrgUnit(code=code, name=name, kind=kind, parent=parent)
    unit.full_clean()
    unit.save()
    return unit


@transaction.atomic
def update_org_unit(*, unit: OrgUnit, **changes) -> OrgUnit:
    for field, value in changes.items():
        setattr(unit, field, value)
    unit.full_clean()
    unit.save()
    return unit


def _admin_managed(staff: Staff) -> bool:
    return staff.is_superuser or staff.role in ADMIN_MANAGED_ROLES


def check_staff_change(actor: Staff, staff: Staff | None, *, role: str | None = None,
                       grants_superuser: bool = False) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` may create (``staff`` None) or change ``staff``.

    ``role`` is the role the change gives (or keeps). Only admins touch admins, superusers and head office,
    so head office can never take over or lock out the accounts that administer the system.
    """
    actor_role = actor.effective_role
    if actor_role == Role.ADMIN:
        if grants_superuser and not actor.is_superuser:
            raise PermissionDenied(_("只有超级管理员可以授予超级管理员权限。"))
        return
    if staff is not None and _admin_managed(staff):
        raise PermissionDenied(_("只有系统管理员可以修改系统管理员、超级管理员或总行用户。"))
    if grants_superuser or (role and (role in ADMIN_MANAGED_ROLES or ROLE_RANK[role] > ROLE_RANK[actor_role])):
        raise PermissionDenied(_("不能授予高于或等同总行的角色，只有系统管理员可以。"))


@transaction.atomic
def create_staff(*, actor: Staff, username: str, password: str, role: str, org_unit: OrgUnit | None = None,
                 display_name: str = "", **extra) -> Staff:
    check_staff_change(actor, None, role=role)
    staff = Staff(username=username, role=role, org_unit=org_unit, display_name=display_name, **extra)
    validate_password(password, staff)
    staff.set_password(password)
    staff.full_clean()
    staff.save()
    return staff


@transaction.atomic
def update_staff(*, actor: Staff, staff: Staff, password: str | None = None, **changes) -> Staff:
    check_staff_change(actor, staff, role=changes.get("role", staff.role))
    for field, value in changes.items():
        setattr(staff, field, value)
    if password:
        validate_password(password, staff)
        staff.set_password(password)
    staff.full_clean()
    staff.save()  # a new password or deactivation revokes access (org.receivers)
    return staff


def revoke_access(staff: Staff, *, sessions: bool = False) -> None:
    """End every API token of ``staff`` and, with ``sessions``, their browser sessions too.

    A new password ends sessions by itself (Django checks each session against a hash of the password); a
    deactivated user's sessions are deleted so that a reactivation does not bring them back.
    """
    ApiToken.objects.filter(staff=staff).delete()
    if sessions:
        from django.contrib.sessions.models import Session

        # Live sessions only (30 minutes idle at most): few rows, and deactivations are rare.
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
            if session.get_decoded().get("_auth_user_id") == str(staff.pk):
                session.delete()


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_api_token(staff: Staff) -> str:
    """A new token for ``staff``; only its digest is stored, so the key is shown this once."""
    key = secrets.token_hex(20)
    ApiToken.objects.create(digest=_digest(key), staff=staff, last_used_at=timezone.now())
    return key


def api_token_owner(key: str) -> tuple[Staff, ApiToken] | None:
    """The active owner of a token still in use; a token idle for ``API_TOKEN_IDLE_DAYS`` is deleted."""
    token = ApiToken.objects.select_related("staff").filter(digest=_digest(key)).first()
    if token is None or not token.staff.is_active:
        return None
    now = timezone.now()
    if token.last_used_at < now - timedelta(days=settings.API_TOKEN_IDLE_DAYS):
        token.delete()
        return None
    # Idle expiry counts in days: one write an hour per token is precise enough and keeps reads read-only.
    if token.last_used_at < now - timedelta(hours=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.staff, token


def revoke_api_token(token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk).delete()


# Sign-in protection (API.md "Sign-in protection" and "Security"). Per username: 5 consecutive failures
# lock it for 15 minutes (PostgreSQL, SignInGuard). Per address: at most 20 failures a minute (a Redis
# counter shared by every web process), which bounds password spraying over many usernames. A locked
# username still lets its owner in from an address they signed in from before that took no part in the
# failures, so an attacker elsewhere cannot lock staff out of their work.

ADDRESS_LOCKED_MESSAGE = _("该地址登录失败次数过多，请 1 分钟后再试。")
USERNAME_LOCKED_MESSAGE = _("该用户名连续登录失败次数过多，已暂时锁定，请 15 分钟后再试或联系系统管理员。")


def _address_key(address: str) -> str:
    minute = int(timezone.now().timestamp() // 60)
    return f"sign-in-failures:{address}:{minute}"


def _address_failures(address: str | None) -> int:
    if not address:
        return 0
    try:
        return cache.get(_address_key(address), 0)
    except Exception:  # Redis down: the per-username lock in PostgreSQL still holds
        logger.warning("sign-in: address counter unavailable", exc_info=True)
        return 0


def _count_address_failure(address: str | None) -> None:
    if not address:
        return
    key = _address_key(address)
    try:
        cache.add(key, 0, timeout=120)
        cache.incr(key)
    except Exception:
        logger.warning("sign-in: address counter unavailable", exc_info=True)


def sign_in_refusal(username: str, address: str | None) -> str | None:
    """Why a sign-in must be refused before its password is checked, or ``None``."""
    if _address_failures(address) >= settings.SIGN_IN_MAX_FAILURES_PER_ADDRESS:
        return str(ADDRESS_LOCKED_MESSAGE)
    guard = SignInGuard.objects.filter(username=username, locked_until__gt=timezone.now()).first()
    if guard is None:
        return None
    exempt = (address and address not in guard.failed_addresses
              and TrustedSignInAddress.objects.filter(username=username, address=address).exists())
    if exempt:
        return None
    return str(USERNAME_LOCKED_MESSAGE)


@transaction.atomic
def record_sign_in_failure(username: str, address: str | None = None) -> None:
    """Count a failed sign-in; the Nth consecutive one locks the username for the configured minutes."""
    _count_address_failure(address)
    now = timezone.now()
    guard, _ = SignInGuard.objects.select_for_update().get_or_create(username=username)
    if guard.locked_until and guard.locked_until <= now:  # an expired lock starts a fresh count
        guard.failures, guard.locked_until, guard.failed_addresses = 0, None, []
    guard.failures += 1
    guard.last_failure_at = now
    if address and address not in guard.failed_addresses:
        guard.failed_addresses = [*guard.failed_addresses, address]
    if guard.failures >= settings.SIGN_IN_MAX_FAILURES:
        guard.locked_until = now + timedelta(minutes=settings.SIGN_IN_LOCK_MINUTES)
    guard.save()


def record_sign_in_refused(address: str | None) -> None:
    """A refused attempt (locked username or address) still counts against the address."""
    _count_address_failure(address)


def record_sign_in_success(username: str, address: str | None = None) -> None:
    """Forget the failures, unless the username is locked (its owner got in through the exemption: the
    lock keeps stopping whoever else is guessing), and trust the address for next time."""
    SignInGuard.objects.filter(username=username).exclude(locked_until__gt=timezone.now()).delete()
    if address:
        TrustedSignInAddress.objects.update_or_create(username=username, address=address,
                                                      defaults={"last_success_at": timezone.now()})


def unlock_sign_in(*, actor: Staff, staff: Staff, request=None) -> bool:
    """An admin lifts the lock on ``staff``'s username (audited). ``True`` if it was locked."""
    from wealthcrm.audit import services as audit
    from wealthcrm.audit.choices import AuditAction

    if actor.effective_role != Role.ADMIN:
        raise PermissionDenied(_("只有系统管理员可以解除登录锁定。"))
    deleted, _by_model = SignInGuard.objects.filter(username=staff.username).delete()
    audit.record(action=AuditAction.UPDATE, actor=actor, obj=staff, detail={"sign_in": "unlocked"},
                 request=request)
    return bool(deleted)
