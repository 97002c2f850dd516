"""经营看板 (/performance/dashboard/): who may open it, drill-down within scope, figures equal direct aggregates,
head-office-only cards, and a query count that does not grow with units, advisors or clients."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Avg, Count, Sum
from django.utils import timezone

from clients.models import Client
from performance import services
from performance.choices import KpiCode
from performance.models import KpiValue
from performance.reports import summary as month_summary
from tests.factories import OrgUnitFactory, StaffFactory
from tests.performance.factories import client_of, referral, tier_change
from tiers.models import TierChange
from wealthcrm.org.choices import OrgKind, Role
from wealthcrm.tiering import Tier

URL = "/performance/dashboard/"


def this_month() -> services.Period:
    return services.Period.of(timezone.localdate())


@pytest.fixture
def book(bank):
    """Clients in the north sub-branch, the north branch's centre and the south; this month's tier changes and
    referrals; the tier summary and the scorecards of the month computed as the nightly jobs do."""
    today = timezone.localdate()
    now = timezone.now()
    sub = [client_of(bank.advisor, tier=Tier.BRANCH, aum=Decimal("7000000"), acquisition_channel="hall"),
           client_of(bank.advisor, tier=Tier.SUB_BRANCH, aum=Decimal("1500000")),
           client_of(bank.advisor2, tier=Tier.SUB_BRANCH, aum=Decimal("900000"))]
    centre = client_of(bank.centre_advisor, tier=Tier.HEAD_OFFICE, aum=Decimal("60000000"))
    south = client_of(bank.south_advisor, tier=Tier.BRANCH, aum=Decimal("8000000"), acquisition_channel="remote")
    tier_change(sub[0], today, "upgrade")
    tier_change(centre, today, "downgrade", from_tier="head_office", to_tier="branch")
    tier_change(south, today, "upgrade")
    referral(referrer=bank.hall, advisor=bank.advisor, due=now - dt.timedelta(hours=1))  # breached once marked
    referral(referrer=bank.hall, advisor=bank.advisor, due=now + dt.timedelta(hours=2),
             contacted=now - dt.timedelta(minutes=5))
    referral(referrer=bank.south_hall, advisor=bank.south_advisor, due=now + dt.timedelta(hours=2))
    from referrals.models import Referral

    Referral.objects.filter(sla_due_at__lt=now, contacted_at__isnull=True).update(sla_breached=True)
    month_summary.refresh_tier_summary(month=this_month().start)
    month_summary.refresh_dashboard_summaries()
    services.recompute_scorecards([this_month()])
    return bank


def figures(response) -> dict:
    c = response.context
    return {"clients": c["mix_totals"]["clients"], "aum": c["mix_totals"]["aum"],
            "upgrades": c["moves"]["upgrades"], "downgrades": c["moves"]["downgrades"],
            "referrals": c["funnel"]["total"], "breached": c["deadlines"]["breached"],
            "leaders": len(c["leaders"])}


@pytest.mark.parametrize("who", ["advisor", "account_manager", "centre_advisor", "hall", "south_hall"])
def test_front_line_staff_get_403(bank, web_as, who):
    assert web_as(getattr(bank, who)).get(URL).status_code == 403


def test_anonymous_goes_to_sign_in(bank, client):
    assert client.get(URL).status_code == 302


@pytest.mark.parametrize("who", ["north_manager", "north_sub_manager", "south_manager", "head_office", "admin"])
def test_managers_open_their_root(book, web_as, who):
    response = web_as(getattr(book, who)).get(URL)
    assert response.status_code == 200
    expected = {"north_manager": book.north, "north_sub_manager": book.north_sub, "south_manager": book.south,
                "head_office": book.ho, "admin": book.ho}[who]
    assert response.context["unit"] == expected


def test_branch_manager_cannot_drill_into_another_branch_or_above(book, web_as):
    page = web_as(book.north_manager)
    assert page.get(URL, {"unit": book.south.pk}).status_code == 404
    assert page.get(URL, {"unit": book.south_sub.pk}).status_code == 404
    assert page.get(URL, {"unit": book.ho.pk}).status_code == 404
    assert page.get(URL, {"unit": "abc"}).status_code == 404
    assert page.get(URL, {"unit": book.north_sub.pk}).status_code == 200


def test_head_office_drills_anywhere(book, web_as):
    response = web_as(book.head_office).get(URL, {"unit": book.south_sub.pk})
    assert response.status_code == 200
    assert [u.pk for u in response.context["ancestors"]] == [book.ho.pk, book.south.pk, book.south_sub.pk]


def test_breadcrumb_stops_at_the_managers_root_and_lists_the_children(book, web_as):
    response = web_as(book.north_manager).get(URL, {"unit": book.north_sub.pk})
    assert [u.pk for u in response.context["ancestors"]] == [book.north.pk, book.north_sub.pk]
    assert [u.pk for u in response.context["children"]] == [book.north_outlet.pk]
    body = response.content.decode()
    assert f"?unit={book.north.pk}&amp;period=" in body
    assert book.ho.name not in body.split('class="dash-crumbs"')[1].split("</nav>")[0]


@pytest.mark.parametrize("period", ["2026-13", "bad", "2026-1", "0000-01", "9999-12"])
def test_a_bad_or_future_period_is_404_not_500(book, web_as, period):
    assert web_as(book.north_manager).get(URL, {"period": period}).status_code == 404


def test_a_past_period_opens(book, web_as):
    response = web_as(book.north_manager).get(URL, {"period": str(this_month().previous)})
    assert response.status_code == 200
    assert response.context["period"] == this_month().previous


def test_drill_down_narrows_the_figures(book, web_as):
    page = web_as(book.north_manager)
    branch = figures(page.get(URL))
    sub = figures(page.get(URL, {"unit": book.north_sub.pk}))
    assert branch["clients"] == 4 and sub["clients"] == 3
    assert branch["downgrades"] == 1 and sub["downgrades"] == 0
    assert branch["aum"] > sub["aum"]


def test_figures_equal_direct_aggregates(book, web_as):
    period = this_month()
    for user, unit in ((book.north_manager, book.north), (book.head_office, book.ho),
                       (book.north_manager, book.north_sub)):
        response = web_as(user).get(URL, {"unit": unit.pk})
        context = response.context
        clients = Client.objects.filter(org_unit__path__startswith=unit.path)
        by_tier = {row["tier"]: row for row in clients.values("tier").annotate(n=Count("pk"), aum=Sum("aum"))}
        for row in context["mix"]:
            assert row["clients"] == by_tier.get(row["tier"], {}).get("n", 0)
            assert row["aum"] == by_tier.get(row["tier"], {}).get("aum", 0)
        changes = TierChange.objects.filter(client__org_unit__path__startswith=unit.path,
                                            effective_date__range=(period.start, period.end))
        assert context["moves"]["upgrades"] == changes.filter(direction="upgrade").count()
        assert context["moves"]["downgrades"] == changes.filter(direction="downgrade").count()
        from referrals.models import Referral

        referrals = Referral.objects.filter(org_unit__path__startswith=unit.path)
        assert context["funnel"]["total"] == referrals.count()
        assert context["funnel"]["contacted"] == referrals.filter(contacted_at__isnull=False).count()
        assert context["deadlines"]["breached"] == referrals.filter(status="recommended", sla_breached=True).count()
        coverage = KpiValue.objects.filter(kpi=KpiCode.COVERAGE_RATE, period=period.start,
                                           advisor__org_unit__path__startswith=unit.path).aggregate(r=Avg("value"))
        assert context["coverage"]["rate"] == coverage["r"]
        assert context["coverage"]["percent"] == (None if coverage["r"] is None else round(100 * coverage["r"], 1))
        assert [c.score for c in context["leaders"]] == sorted((c.score for c in context["leaders"]), reverse=True)
        assert {c.org_unit.path[:len(unit.path)] for c in context["leaders"]} <= {unit.path}


def test_head_office_sections_only_for_head_office(book, web_as):
    manager = web_as(book.north_manager).get(URL)
    assert 'id="head-office"' not in manager.content.decode()
    assert "channels" not in manager.context
    head = web_as(book.head_office).get(URL)
    body = head.content.decode()
    assert 'id="head-office"' in body and 'id="echelons"' in body and 'id="channels"' in body
    channels = {c["channel"]: c for c in head.context["channels"]}
    assert len(channels) == 6
    assert sum(c["referrals"] for c in channels.values()) == 3
    assert channels["hall"]["clients"] == 1 and channels["remote"]["clients"] == 1
    assert sum(c["clients"] for c in channels.values()) == 2


def test_every_chart_has_its_numbers_in_a_table(book, web_as):
    body = web_as(book.head_office).get(URL).content.decode()
    assert body.count("<canvas data-chart=") == 6
    assert body.count("<details>") == 6


def test_navigation_lists_the_dashboard_for_managers_only(book, web_as):
    assert "/performance/dashboard/" in web_as(book.north_manager).get("/performance/leaderboard/").content.decode()
    assert "/performance/dashboard/" not in web_as(book.advisor).get("/").content.decode()


def grow(bank, n):
    """``n`` more sub-branches under each branch, each with an advisor, a client and this month's scorecard."""
    for branch in (bank.north, bank.south):
        for i in range(n):
            unit = OrgUnitFactory(code=f"{branch.code}X{i}", name=f"{branch.name}{i}", kind=OrgKind.SUB_BRANCH,
                                  parent=branch)
            advisor = StaffFactory(username=f"{branch.code.lower()}x{i}", role=Role.ADVISOR, org_unit=unit)
            client = client_of(advisor, tier=Tier.SUB_BRANCH, aum=Decimal("1000000"))
            tier_change(client, timezone.localdate(), "upgrade")
            referral(referrer=bank.hall, advisor=advisor, due=timezone.now() + dt.timedelta(hours=3))
    month_summary.refresh_tier_summary(month=this_month().start)
    services.recompute_scorecards([this_month()])


@pytest.mark.parametrize("who", ["north_manager", "head_office"])
def test_query_count_does_not_grow_with_units_and_advisors(book, web_as, django_assert_max_num_queries, who):
    page = web_as(getattr(book, who))
    page.get(URL)  # warm the session and the calendar cache
    with django_assert_max_num_queries(MAX_QUERIES[who]):
        assert page.get(URL).status_code == 200
    grow(book, 12)
    with django_assert_max_num_queries(MAX_QUERIES[who]):
        response = page.get(URL)
    assert response.status_code == 200
    assert len(response.context["children"]) >= (12 if who == "north_manager" else 2)
    assert len(response.context["leaders"]) == 10


# session, user, navigation, then one read per card (head office: the calendar check and three more cards); a
# branch manager's referral scope reads their unit ids once (OrgUnit.subtree_ids)
MAX_QUERIES = {"north_manager": 17, "head_office": 20}
