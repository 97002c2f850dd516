"""Households on the 360 page and the client list (PRODUCT.md "Tiers", issue 21): the household's AUM is the
sum of its members' and its tier follows the policy's floors applied to that sum — over the members the viewer
may see; the others are counted, never summed or listed."""

from decimal import Decimal

import pytest
from django.urls import reverse

from clients.models import Household
from tests.factories import ClientFactory


@pytest.fixture
def family(bank):
    household = Household.objects.create(name="王氏家庭")
    return {
        "mine": ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, name="王父", household=household,
                              household_relation="self", aum=Decimal("30000000.00")),
        "colleague": ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor2, name="王母", household=household,
                                   household_relation="spouse", aum=Decimal("15000000.00")),
        "south": ClientFactory(org_unit=bank.south_sub, advisor=bank.south_advisor, name="王子",
                               household=household, household_relation="child", aum=Decimal("60000000.00")),
    }


@pytest.mark.parametrize("who, total, tier, hidden, members", [
    ("advisor", "30000000.00", "branch", 2, set()),
    ("north_sub_manager", "45000000.00", "branch", 1, {"王母"}),
    ("head_office", "105000000.00", "head_office", 0, {"王母", "王子"}),
])
def test_the_360_page_sums_the_members_the_viewer_may_see(bank, family, web_as, who, total, tier, hidden, members):
    response = web_as(getattr(bank, who)).get(reverse("clients:detail", args=[family["mine"].pk]))
    client = response.context["client"]
    assert (client.household_aum, client.household_tier, client.household_hidden) == (Decimal(total), tier, hidden)
    assert {m.name for m in response.context["members"]} == members
    text = response.content.decode()
    assert ("未计入" in text) == bool(hidden)
    if who != "head_office":
        assert "王子" not in text and "6,000.00万" not in text and "1.05亿" not in text


def test_the_list_shows_each_rows_household_total_in_scope(bank, family, web_as):
    rows = {c.name: c for c in web_as(bank.north_sub_manager).get(reverse("clients:list")).context["clients"]}
    assert set(rows) == {"王父", "王母"}
    assert {(c.household_aum, c.household_tier, c.household_hidden) for c in rows.values()} == {
        (Decimal("45000000.00"), "branch", 1)}
    alone = ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, name="单身", aum=Decimal("100.00"))
    row = next(c for c in web_as(bank.advisor).get(reverse("clients:list")).context["clients"] if c.pk == alone.pk)
    assert row.household_tier is None


def test_the_list_query_count_does_not_grow_with_households(bank, family, web_as, django_assert_max_num_queries):
    web = web_as(bank.north_manager)
    web.get(reverse("clients:list"))
    with django_assert_max_num_queries(9) as few:
        web.get(reverse("clients:list"))
    for i in range(15):
        household = Household.objects.create(name=f"家庭{i}")
        for relation in ("self", "spouse"):
            ClientFactory(org_unit=bank.north_outlet, advisor=bank.account_manager, household=household,
                          household_relation=relation, aum=Decimal("1000000.00"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        rows = web.get(reverse("clients:list")).context["clients"]
    assert len(rows) == 32 and all(r.household_aum == Decimal("2000000.00") for r in rows if r.org_unit == bank.north_outlet)


def test_the_api_gives_the_same_figures_in_scope(bank, family, api_as):
    rows = {row["name"]: row for row in api_as(bank.north_sub_manager).get("/api/v1/clients/").json()["results"]}
    assert {(r["household_aum"], r["household_tier"], r["household_hidden"]) for r in rows.values()} == {
        ("45000000.00", "branch", 1)}
    mine = api_as(bank.advisor).get(f"/api/v1/clients/{family['mine'].pk}/").json()
    assert (mine["household_aum"], mine["household_tier"], mine["household_hidden"]) == ("30000000.00", "branch", 2)
    alone = ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, name="单身")
    row = api_as(bank.advisor).get(f"/api/v1/clients/{alone.pk}/").json()
    assert (row["household_aum"], row["household_tier"], row["household_hidden"]) == (None, None, None)


def test_the_api_list_query_count_does_not_grow_with_households(bank, family, api_as,
                                                                 django_assert_max_num_queries):
    api = api_as(bank.north_manager)
    api.get("/api/v1/clients/")
    with django_assert_max_num_queries(20) as few:
        api.get("/api/v1/clients/")
    for i in range(10):
        household = Household.objects.create(name=f"家庭{i}")
        for relation in ("self", "spouse"):
            ClientFactory(org_unit=bank.north_outlet, advisor=bank.account_manager, household=household,
                          household_relation=relation, aum=Decimal("1000000.00"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(api.get("/api/v1/clients/").json()["results"]) == 22
