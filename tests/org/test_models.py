import pytest
from django.core.exceptions import ValidationError

from wealthcrm.org import services
from wealthcrm.org.choices import OrgKind
from wealthcrm.org.models import OrgUnit


def test_path_is_materialised_from_the_parent(bank):
    assert bank.north_outlet.path == f"{bank.ho.pk:06d}/{bank.north.pk:06d}/{bank.north_sub.pk:06d}/{bank.north_outlet.pk:06d}/"


def test_subtree_is_one_query_and_includes_the_unit_itself(bank, django_assert_num_queries):
    with django_assert_num_queries(1):
        codes = sorted(OrgUnit.objects.subtree(bank.north).values_list("code", flat=True))
    assert codes == ["BJ", "BJ01", "BJ0101"]


def test_moving_a_unit_re_roots_its_descendants(bank):
    services.update_org_unit(unit=bank.north_sub, parent=bank.south)
    bank.north_outlet.refresh_from_db()
    assert bank.north_outlet.path.startswith(bank.south.path)
    assert set(OrgUnit.objects.subtree(bank.south).values_list("code", flat=True)) == {"SZ", "SZ01", "BJ01", "BJ0101"}


def test_ancestor_of_kind_finds_the_branch_above_an_outlet(bank):
    assert bank.north_outlet.ancestor_of_kind(OrgKind.BRANCH) == bank.north
    assert bank.north.ancestor_of_kind(OrgKind.BRANCH) == bank.north


def test_a_unit_looks_its_ancestor_up_once(bank, django_assert_num_queries):
    # A request's user's unit is asked by every directory-scoped filter and field of the request.
    unit = OrgUnit.objects.get(pk=bank.north_outlet.pk)
    with django_assert_num_queries(1):
        assert unit.ancestor_of_kind(OrgKind.BRANCH) == bank.north
        assert unit.ancestor_of_kind(OrgKind.BRANCH) == bank.north
    with django_assert_num_queries(1):
        assert unit.ancestor_of_kind(OrgKind.SUB_BRANCH) == bank.north_sub


@pytest.mark.parametrize("kind, parent_attr", [
    (OrgKind.OUTLET, "north"),       # an outlet must sit under a sub-branch
    (OrgKind.BRANCH, None),          # only head office is a root
    (OrgKind.SUB_BRANCH, "ho"),
])
def test_tree_levels_are_enforced(bank, kind, parent_attr):
    parent = getattr(bank, parent_attr) if parent_attr else None
    with pytest.raises(ValidationError):
        services.create_org_unit(code="X1", name="错误机构", kind=kind, parent=parent)


def test_a_unit_cannot_move_under_its_own_descendant(bank):
    with pytest.raises(ValidationError):
        services.update_org_unit(unit=bank.north, parent=bank.north_outlet)
