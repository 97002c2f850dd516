"""Operations on the organisation and its staff."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from wealthcrm.org.models import OrgUnit, SignInGuard, Staff


@transaction.atomic
def create_org_unit(*, code: str, name: str, kind: str, parent: OrgUnit | None) -> OrgUnit:
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


@transaction.atomic
def create_staff(*, username: str, password: str, role: str, org_unit: OrgUnit | None,
                 display_name: str = "", **extra) -> Staff:
    staff = Staff(username=username, role=role, org_unit=org_unit, display_name=display_name, **extra)
    validate_password(password, staff)
    staff.set_password(password)
    staff.full_clean()
    staff.save()
    return staff


@transaction.atomic
def update_staff(*, staff: Staff, password: str | None = None, **changes) -> Staff:
    for field, value in changes.items():
        setattr(staff, field, value)
    if password:
        validate_password(password, staff)
        staff.set_password(password)
    staff.full_clean()
    staff.save()
    return staff


def sign_in_locked(username: str) -> bool:
    return SignInGuard.objects.filter(username=username, locked_until__gt=timezone.now()).exists()


@transaction.atomic
def record_sign_in_failure(username: str) -> None:
    """Count a failed sign-in; the Nth consecutive one locks the username for the configured minutes."""
    now = timezone.now()
    guard, _ = SignInGuard.objects.select_for_update().get_or_create(username=username)
    if guard.locked_until and guard.locked_until <= now:  # an expired lock starts a fresh count
        guard.failures, guard.locked_until = 0, None
    guard.failures += 1
    guard.last_failure_at = now
    if guard.failures >= settings.SIGN_IN_MAX_FAILURES:
        guard.locked_until = now + timedelta(minutes=settings.SIGN_IN_LOCK_MINUTES)
    guard.save()


def record_sign_in_success(username: str) -> None:
    SignInGuard.objects.filter(username=username).delete()
