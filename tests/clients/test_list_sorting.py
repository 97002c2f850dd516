"""The client list: sortable columns that keep keyset paging, page sizes, the total, last contact."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from clients.models import Client
from tests.clients.factories import ContactFactory
from tests.factories import ClientFactory
from wealthcrm import pagination
from wealthcrm.pagination import count_or_estimate, format_count
from wealthcrm.tiering import Tier

pytestmark = pytest.mark.django_db


def _walk(web, query: str) -> list[list[int]]:
    """Every page of the list from ``query`` on, following ``next``: the client ids of each page."""
    pages, url = [], reverse("clients:list") + query
    while url:
        response = web.get(url)
        assert response.status_code == 200
        pages.append([c.pk for c in response.context["clients"]])
        following = response.context["links"].get("next")
        url = reverse("clients:list") + following if following else None
    return pages


@pytest.mark.parametrize("sort, expected_key", [
    ("aum", lambda c: (c.aum, c.pk)),
    ("-aum", lambda c: (-c.aum, -c.pk)),
])
def test_aum_sort_with_ties_walks_every_client_once_in_a_stable_order(bank, web_as, sort, expected_key):
    # 45 clients on three AUM values: most rows tie, and the ties straddle page boundaries.
    made = [ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, aum=Decimal("1000000") * (n % 3))
            for n in range(45)]
    pages = _walk(web_as(bank.advisor), f"?sort={sort}&size=20")
    assert [len(p) for p in pages] == [20, 20, 5]
    walked = [pk for page in pages for pk in page]
    assert walked == [c.pk for c in sorted(made, key=expected_key)]


def test_going_back_from_a_sorted_page_gives_the_same_page(bank, web_as):
    for n in range(45):
        ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, aum=Decimal("1000000") * (n % 2))
    web = web_as(bank.advisor)
    first = web.get(reverse("clients:list") + "?sort=-aum&size=20")
    second = web.get(reverse("clients:list") + first.context["links"]["next"])
    back = web.get(reverse("clients:list") + second.context["links"]["prev"])
    assert [c.pk for c in back.context["clients"]] == [c.pk for c in first.context["clients"]]
    assert "sort=-aum" in second.context["links"]["prev"] and "size=20" in second.context["links"]["prev"]


def test_name_and_tier_sorts(bank, web_as):
    ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, name="乙", tier=Tier.HEAD_OFFICE,
                  aum=Decimal("200000000"))
    ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, name="甲", tier=Tier.SUB_BRANCH, aum=Decimal("10"))
    ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, name="丙", tier=Tier.BRANCH,
                  aum=Decimal("30000000"))
    web = web_as(bank.advisor)
    by_name = web.get(reverse("clients:list") + "?sort=name").context["clients"]
    assert [c.name for c in by_name] == sorted(["甲", "乙", "丙"])
    by_tier = web.get(reverse("clients:list") + "?sort=-tier").context["clients"]
    assert [c.tier for c in by_tier] == [Tier.HEAD_OFFICE, Tier.BRANCH, Tier.SUB_BRANCH]


def test_last_contact_is_kept_by_every_insert_and_sorts_never_contacted_last(bank, web_as):
    old, recent, never = (ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor) for _ in range(3))
    when = dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC)
    ContactFactory(client=old, staff=bank.advisor, occurred_at=when)
    ContactFactory(client=recent, staff=bank.advisor, occurred_at=when + dt.timedelta(days=5))
    # an older contact logged later does not move the date back
    ContactFactory(client=recent, staff=bank.advisor, occurred_at=when - dt.timedelta(days=30))
    assert Client.objects.get(pk=recent.pk).last_contact_at == when + dt.timedelta(days=5)
    assert Client.objects.get(pk=never.pk).last_contact_at is None
    rows = web_as(bank.advisor).get(reverse("clients:list") + "?sort=-last_contact").context["clients"]
    assert [c.pk for c in rows] == [recent.pk, old.pk, never.pk]


def test_the_trigger_keeps_the_last_effective_contact_and_satisfaction_callback(bank):
    """What the callback rules read (``callback_due``): a failed call moves only the last contact; a back-dated
    effective one never moves a date back; a satisfaction callback moves all three."""
    client = ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor)
    when = dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC)

    def dates():
        return Client.objects.filter(pk=client.pk).values_list(
            "last_contact_at", "last_effective_contact_at", "last_satisfaction_at").get()

    ContactFactory(client=client, staff=bank.advisor, occurred_at=when, effective=True, purpose="other")
    ContactFactory(client=client, staff=bank.advisor, occurred_at=when + dt.timedelta(days=2), effective=False,
                   purpose="other")
    assert dates() == (when + dt.timedelta(days=2), when, None)
    ContactFactory(client=client, staff=bank.advisor, occurred_at=when - dt.timedelta(days=9), effective=True,
                   purpose="callback_satisfaction")
    assert dates() == (when + dt.timedelta(days=2), when, when - dt.timedelta(days=9))
    ContactFactory(client=client, staff=bank.advisor, occurred_at=when + dt.timedelta(days=3), effective=True,
                   purpose="callback_satisfaction")
    assert dates() == (when + dt.timedelta(days=3),) * 3


@pytest.mark.parametrize("query", ["?sort=password", "?sort=-", "?sort=aum;drop", "?sort=-id__in", "?size=7",
                                   "?size=abc", "?size=100000", "?size=²"])
def test_a_bad_sort_or_page_size_falls_back_to_the_default(bank, web_as, query):
    made = ClientFactory.create_batch(55, org_unit=bank.north_sub, advisor=bank.advisor)
    response = web_as(bank.advisor).get(reverse("clients:list") + query)
    assert response.status_code == 200
    # the default: newest first, 50 a page
    assert [c.pk for c in response.context["clients"]] == sorted((c.pk for c in made), reverse=True)[:50]


@pytest.mark.parametrize("cursor", ["after=garbage~x~1", "after=1", "before=%00", "after=-5~0~1~2", "after=1e999999~1",
                                    "after=NaN~1", "before=-Infinity~1", "after=1~99999999999999999999999"])
def test_a_forged_cursor_on_a_sorted_list_is_its_first_page(bank, web_as, cursor):
    for n in range(25):
        ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, aum=Decimal(n))
    web = web_as(bank.advisor)
    first = [c.pk for c in web.get(reverse("clients:list") + "?sort=aum&size=20").context["clients"]]
    response = web.get(reverse("clients:list") + f"?sort=aum&size=20&{cursor}")
    assert response.status_code == 200 and [c.pk for c in response.context["clients"]] == first


def test_page_sizes_are_whitelisted(bank, web_as):
    ClientFactory.create_batch(105, org_unit=bank.north_sub, advisor=bank.advisor)
    web = web_as(bank.advisor)
    assert len(web.get(reverse("clients:list") + "?size=20").context["clients"]) == 20
    assert len(web.get(reverse("clients:list") + "?size=100").context["clients"]) == 100
    page = web.get(reverse("clients:list") + "?size=20").content.decode()
    assert "共 105 条" in page


def test_sorted_list_queries_do_not_grow_with_rows(bank, web_as, django_assert_max_num_queries):
    web = web_as(bank.north_manager)
    ClientFactory.create_batch(3, org_unit=bank.north_sub, advisor=bank.advisor)
    url = reverse("clients:list") + "?sort=-last_contact&size=100"
    web.get(url)
    with django_assert_max_num_queries(9):
        web.get(url)
    ClientFactory.create_batch(40, org_unit=bank.north_outlet, advisor=bank.account_manager)
    with django_assert_max_num_queries(9):
        assert len(web.get(url).context["clients"]) == 43


def test_a_large_set_shows_the_planners_estimate_not_a_count(bank, monkeypatch):
    ClientFactory.create_batch(5, org_unit=bank.north_sub, advisor=bank.advisor)
    assert count_or_estimate(Client.objects.all()) == (5, True)
    monkeypatch.setattr(pagination, "EXACT_COUNT_BELOW", 3)
    n, exact = count_or_estimate(Client.objects.all())
    assert not exact and n >= 3


def test_counts_read_in_wan_and_yi():
    assert format_count(1234, True) == "共 1,234 条"
    assert format_count(123_456, False) == "约 12.3万 条"
    assert format_count(250_000_000, False) == "约 2.5亿 条"
    assert format_count(20_000, False) == "超过 2.0万 条"  # the planner guessed fewer than were just counted


def test_estimated_totals_read_in_thousands_in_english():
    from django.utils import translation

    with translation.override("en"):
        assert format_count(123_456, False) == "About 123.5k records"
        assert format_count(2_500_000, False) == "About 2.5M records"
