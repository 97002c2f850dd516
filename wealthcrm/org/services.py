"""Operations on the organisation and its staff."""

from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from wealthcrm.org.models import OrgUnit, Staff


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
