"""API.md "Security" — who may change which staff; a new password or deactivation ends tokens and sessions."""

import pytest
from rest_framework.test import APIClient

from tests.factories import StaffFactory
from wealthcrm.org import services
from wealthcrm.org.choices import Role
from wealthcrm.org.models import ApiToken, Staff

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Taken-Over-2026!"


@pytest.fixture
def superuser(bank):
    return StaffFactory(username="root", role=Role.ADMIN, is_superuser=True, is_staff=True)


@pytest.mark.parametrize("target", ["superuser", "admin", "head_office"])
@pytest.mark.parametrize("change", [{"password": NEW_PASSWORD}, {"is_active": False}, {"display_name": "x"},
                                    {"email": "x@example.com"}])
def test_head_office_cannot_change_admins_superusers_or_head_office(bank, superuser, api_as, target, change):
    staff = superuser if target == "superuser" else getattr(bank, target)
    other_ho = StaffFactory(username="ho2", role=Role.HEAD_OFFICE, org_unit=bank.ho)
    response = api_as(other_ho).patch(f"/api/v1/staff/{staff.pk}/", change, format="json")
    assert response.status_code == 403
    staff.refresh_from_db()
    assert staff.is_active and not staff.check_password(NEW_PASSWORD)


@pytest.mark.parametrize("role", [Role.HEAD_OFFICE, Role.ADMIN])
def test_head_office_cannot_grant_head_office_or_admin(bank, api_as, role):
    api = api_as(bank.head_office)
    created = api.post("/api/v1/staff/", {"username": "new1", "password": "Str0ng-Passw0rd!x", "role": role,
                                          "org_unit": bank.ho.pk}, format="json")
    assert created.status_code == 403
    promoted = api.patch(f"/api/v1/staff/{bank.advisor.pk}/", {"role": role}, format="json")
    assert promoted.status_code == 403
    bank.advisor.refresh_from_db()
    assert bank.advisor.role == Role.ADVISOR


def test_head_office_still_manages_branch_staff(bank, api_as):
    response = api_as(bank.head_office).patch(f"/api/v1/staff/{bank.advisor.pk}/",
                                              {"role": Role.BRANCH_MANAGER, "password": NEW_PASSWORD}, format="json")
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("actor", ["admin", "superuser"])
def test_admins_manage_head_office_and_admins(bank, superuser, api_as, actor):
    api = api_as(superuser if actor == "superuser" else bank.admin)
    assert api.patch(f"/api/v1/staff/{bank.head_office.pk}/", {"password": NEW_PASSWORD},
                     format="json").status_code == 200
    created = api.post("/api/v1/staff/", {"username": "ho3", "password": "Str0ng-Passw0rd!x",
                                          "role": Role.HEAD_OFFICE, "org_unit": bank.ho.pk}, format="json")
    assert created.status_code == 201, created.content


def test_a_new_password_revokes_tokens_and_sessions(bank, api_as, client):
    key = services.issue_api_token(bank.advisor)
    client.force_login(bank.advisor)
    assert client.get("/api/v1/staff/").status_code == 200
    response = api_as(bank.head_office).patch(f"/api/v1/staff/{bank.advisor.pk}/", {"password": NEW_PASSWORD},
                                              format="json")
    assert response.status_code == 200
    assert APIClient().get("/api/v1/staff/", HTTP_AUTHORIZATION=f"Token {key}").status_code in (401, 403)
    assert client.get("/api/v1/staff/").status_code == 403  # the session no longer matches the password


def test_deactivation_revokes_tokens_and_reactivation_does_not_revive_them(bank, api_as, client):
    key = services.issue_api_token(bank.advisor)
    client.force_login(bank.advisor)
    api = api_as(bank.head_office)
    assert api.patch(f"/api/v1/staff/{bank.advisor.pk}/", {"is_active": False}, format="json").status_code == 200
    assert not ApiToken.objects.filter(staff=bank.advisor).exists()
    assert client.get("/api/v1/staff/").status_code == 403
    assert api.patch(f"/api/v1/staff/{bank.advisor.pk}/", {"is_active": True}, format="json").status_code == 200
    assert APIClient().get("/api/v1/staff/", HTTP_AUTHORIZATION=f"Token {key}").status_code in (401, 403)
    assert client.get("/api/v1/staff/").status_code == 403  # the old session does not come back either


def test_django_admin_password_change_revokes_tokens(bank, superuser, client):
    services.issue_api_token(bank.advisor)
    client.force_login(superuser)
    response = client.post(f"/admin/org/staff/{bank.advisor.pk}/password/",
                           {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Staff.objects.get(pk=bank.advisor.pk).check_password(NEW_PASSWORD)
    assert not ApiToken.objects.filter(staff=bank.advisor).exists()


def test_django_admin_staff_without_admin_role_cannot_touch_the_superuser(bank, superuser, client):
    from django.contrib.auth.models import Permission

    bank.head_office.is_staff = True
    bank.head_office.save()
    bank.head_office.user_permissions.set(Permission.objects.filter(codename__in=["change_staff", "view_staff"]))
    client.force_login(bank.head_office)
    page = client.post(f"/admin/org/staff/{superuser.pk}/password/",
                       {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"})
    assert page.status_code == 403
    superuser.refresh_from_db()
    assert not superuser.check_password(NEW_PASSWORD)
    change = client.get(f"/admin/org/staff/{bank.advisor.pk}/change/")
    assert change.status_code == 200
    assert 'name="is_superuser"' not in change.content.decode()
