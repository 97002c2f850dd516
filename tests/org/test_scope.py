"""The scope module decides, for every role, which rows are visible (PRODUCT.md "Organisation")."""


from django.contrib.auth.models import AnonymousUser

from wealthcrm.org.models import OrgUnit, Staff
from wealthcrm.org.scope import scope_q


def visible_staff(user, **fields):
    return set(Staff.objects.filter(scope_q(user, **fields)).values_list("username", flat=True))


ALL = {"ho", "admin", "bj_mgr", "bj01_mgr", "bj_pb", "bj01_adv", "bj01_adv2", "bj0101_am", "bj0101_hall",
       "sz01_adv", "sz_mgr", "sz01_hall"}


def test_head_office_and_admin_see_everything(bank):
    for user in (bank.head_office, bank.admin):
        assert visible_staff(user, owner_field="pk") == ALL


def test_a_superuser_has_the_admin_rights_whatever_the_role_field_says(bank):
    bank.advisor.is_superuser = True
    assert visible_staff(bank.advisor, owner_field="pk") == ALL


def test_branch_manager_sees_their_org_subtree_only(bank):
    assert visible_staff(bank.north_sub_manager) == {"bj01_mgr", "bj01_adv", "bj01_adv2", "bj0101_am", "bj0101_hall"}
    assert "sz01_adv" not in visible_staff(bank.north_manager)
    assert visible_staff(bank.south_manager) == {"sz_mgr", "sz01_adv", "sz01_hall"}


def test_advisors_and_account_managers_see_what_they_own(bank):
    # owner_field="pk": each member of staff "owns" their own row, standing in for e.g. Client.advisor.
    assert visible_staff(bank.advisor, owner_field="pk") == {"bj01_adv"}
    assert visible_staff(bank.account_manager, owner_field="pk") == {"bj0101_am"}


def test_hall_staff_see_only_what_they_submitted(bank):
    assert visible_staff(bank.hall, submitter_field="pk") == {"bj0101_hall"}
    assert visible_staff(bank.hall) == set()  # records with no submitter: nothing


def test_anonymous_sees_nothing(bank):
    assert visible_staff(AnonymousUser()) == set()


def test_directory_is_branch_wide_for_front_line_and_subtree_for_managers(bank):
    assert set(OrgUnit.objects.visible_to(bank.advisor).values_list("code", flat=True)) == {"BJ", "BJ01", "BJ0101"}
    assert set(OrgUnit.objects.visible_to(bank.north_sub_manager).values_list("code", flat=True)) == {"BJ01", "BJ0101"}
    assert OrgUnit.objects.visible_to(bank.head_office).count() == 6
    assert "sz01_adv" not in set(Staff.objects.visible_to(bank.hall).values_list("username", flat=True))


def test_relationship_roles_see_nothing_without_an_owner_link(bank):
    assert visible_staff(bank.advisor, owner_field=None) == set()
