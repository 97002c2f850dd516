"""Issue 16: the household on the 360 page and the filter drop-downs go through the user's scope."""

import pytest
from django.urls import reverse

from tests.clients.factories import HouseholdFactory

pytestmark = pytest.mark.django_db


def test_household_members_are_listed_only_as_far_as_the_user_may_see(bank, clients, web_as):
    family = HouseholdFactory()
    for member in (clients.mine, clients.colleague, clients.south):
        member.household = family
        member.save()
    page = web_as(bank.advisor).get(reverse("clients:detail", args=[clients.mine.pk]))
    assert page.status_code == 200
    assert [m.pk for m in page.context["members"]] == []  # advisor2's and the south branch's clients stay hidden
    page = web_as(bank.north_sub_manager).get(reverse("clients:detail", args=[clients.mine.pk]))
    assert [m.pk for m in page.context["members"]] == [clients.colleague.pk]
    page = web_as(bank.head_office).get(reverse("clients:detail", args=[clients.mine.pk]))
    assert {m.pk for m in page.context["members"]} == {clients.colleague.pk, clients.south.pk}


def _choices(response, field):
    return {obj.pk for obj in response.context["filter"].form.fields[field].queryset}


@pytest.mark.parametrize("who, units", [
    ("advisor", {"north", "north_sub", "north_outlet"}),        # a sub-branch advisor: their branch
    ("north_sub_manager", {"north_sub", "north_outlet"}),        # a manager: their subtree
    ("north_manager", {"north", "north_sub", "north_outlet"}),
    ("head_office", {"ho", "north", "north_sub", "north_outlet", "south", "south_sub"}),
])
def test_filter_drop_downs_offer_only_the_users_directory(bank, clients, web_as, who, units,
                                                          django_assert_max_num_queries):
    web = web_as(getattr(bank, who))
    web.get(reverse("clients:list"))
    # the page's total and the household tiers are one query each, whatever the rows (test_views checks growth)
    with django_assert_max_num_queries(11):
        response = web.get(reverse("clients:list"))
    assert _choices(response, "org_unit") == {getattr(bank, name).pk for name in units}
    advisors = _choices(response, "advisor")
    assert (bank.south_advisor.pk in advisors) == (who == "head_office")
    assert bank.south_manager.pk not in advisors or who == "head_office"
    for name in ("org_unit", "advisor"):
        assert "深圳" not in str(response.context["filter"].form[name]) or who == "head_office"


@pytest.mark.parametrize("url, field, value", [
    ("/api/v1/clients/", "org_unit", "south"),
    ("/api/v1/clients/", "advisor", "south_advisor"),
    ("/api/v1/contacts/", "staff", "south_advisor"),
    ("/api/v1/referrals/", "advisor", "south_advisor"),
    ("/api/v1/referrals/", "org_unit", "south_sub"),
    ("/api/v1/tier-changes/", "org_unit", "south"),
    ("/api/v1/staff/", "org_unit", "south"),
    ("/api/v1/org-units/", "within", "south"),
    ("/api/v1/org-units/", "parent", "south"),
])
def test_an_out_of_scope_choice_is_a_400_never_other_rows(bank, clients, api_as, url, field, value):
    pk = getattr(bank, value).pk
    response = api_as(bank.north_manager).get(url, {field: pk})
    assert response.status_code == 400
    assert field in response.json()
    assert api_as(bank.head_office).get(url, {field: pk}).status_code == 200


def test_the_near_threshold_page_offers_the_managers_units_only(bank, clients, web_as):
    response = web_as(bank.north_sub_manager).get(reverse("tiers:near-threshold"))
    assert _choices(response, "org_unit") == {bank.north_sub.pk, bank.north_outlet.pk}
    response = web_as(bank.north_sub_manager).get(reverse("tiers:near-threshold"), {"org_unit": bank.south.pk})
    assert list(response.context["page"]) == []
