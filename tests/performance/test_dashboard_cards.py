"""The dashboard's work cards (回访 due and coming due, open follow-ups, the month's reassignments), the channel card
from its summary, and ``GET /api/v1/dashboard/`` (the page's figures as JSON): content per role against fixtures,
drill-down, scope, the lists behind the numbers, and query counts that do not grow with rows."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from clients import services as client_services
from clients.models import Client, Contact, Reassignment
from performance import services
from performance.reports import summary
from performance.reports.models import OrgCallbackSummary
from tests.factories import StaffFactory
from tests.performance.factories import client_of, referral
from wealthcrm.org.choices import Role
from wealthcrm.tiering import Tier

URL = "/performance/dashboard/"
API = "/api/v1/dashboard/"


def this_month() -> services.Period:
    return services.Period.of(timezone.localdate())


def contacted(client, staff, *, days_ago, next_in=None, effective=True):
    """An effective phone call ``days_ago`` days ago; ``next_in``: a next action that many days after it."""
    when = timezone.now() - dt.timedelta(days=days_ago)
    return Contact.objects.create(client=client, staff=staff, channel="phone", purpose="callback_satisfaction",
                                  occurred_at=when, effective=effective,
                                  next_action_at=None if next_in is None else when + dt.timedelta(days=next_in))


@pytest.fixture
def work(bank):
    """Against the default callback plans (总行级 30 days, 分行级 90, 支行级 180):

    north sub-branch — ``never`` (never reached: due), ``recent`` (reached 10 days ago: not due), ``soon``
    (总行级 reached 26 days ago: due within the week), ``follow_today`` (a next action later today),
    ``follow_late`` (a next action two days ago, not followed), ``follow_done`` (a next action two days ago, reached
    again since); north centre — ``centre_due`` (总行级 reached 40 days ago); south — ``south_due`` (never reached).
    Then the nightly summaries are refreshed.
    """
    a = bank.advisor
    people = {
        "never": client_of(a, tier=Tier.SUB_BRANCH, aum=Decimal("1000000")),
        "recent": client_of(a, tier=Tier.SUB_BRANCH, aum=Decimal("1000000")),
        "soon": client_of(a, tier=Tier.HEAD_OFFICE, aum=Decimal("60000000")),
        "follow_today": client_of(a, tier=Tier.SUB_BRANCH, aum=Decimal("1000000")),
        "follow_late": client_of(a, tier=Tier.SUB_BRANCH, aum=Decimal("1000000")),
        "follow_done": client_of(a, tier=Tier.SUB_BRANCH, aum=Decimal("1000000")),
        "centre_due": client_of(bank.centre_advisor, tier=Tier.HEAD_OFFICE, aum=Decimal("60000000")),
        "south_due": client_of(bank.south_advisor, tier=Tier.BRANCH, aum=Decimal("8000000"),
                               acquisition_channel="remote"),
    }
    contacted(people["recent"], a, days_ago=10)
    contacted(people["soon"], a, days_ago=26)
    later_today = timezone.localtime().replace(hour=23, minute=0, second=0, microsecond=0)
    Contact.objects.create(client=people["follow_today"], staff=a, channel="phone", purpose="other",
                           occurred_at=timezone.now() - dt.timedelta(days=1), next_action_at=later_today)
    contacted(people["follow_late"], a, days_ago=5, next_in=3)
    contacted(people["follow_done"], a, days_ago=5, next_in=3)
    contacted(people["follow_done"], a, days_ago=1)
    contacted(people["centre_due"], bank.centre_advisor, days_ago=40)
    summary.refresh_tier_summary(month=this_month().start)
    summary.refresh_dashboard_summaries()
    bank.people = people
    return bank


def expected(unit) -> dict:
    """The work figures of ``unit``'s subtree counted straight from the clients app's rules, now."""
    clients = Client.objects.filter(org_unit__path__startswith=unit.path)
    now = timezone.now()
    return {"callbacks_overdue": clients.in_callback_state("overdue", now=now).count(),
            "callbacks_due_soon": clients.in_callback_state("due_soon", now=now).count(),
            "follow_ups_today": clients.in_follow_up_state("today", now=now).count(),
            "follow_ups_overdue": clients.in_follow_up_state("overdue", now=now).count()}


def card(response) -> dict:
    return {key: response.context["callbacks"][key] for key in summary.CALLBACK_FIGURES}


def names(response, people) -> set[str]:
    ids = {c.pk for c in response.context["clients"]}
    return {name for name, c in people.items() if c.pk in ids}


def test_the_rules_pick_the_expected_clients(work):
    now = timezone.now()
    picked = {state: {n for n, c in work.people.items() if c in Client.objects.in_callback_state(state, now=now)}
              for state in ("overdue", "due_soon")}
    assert picked["overdue"] == {"never", "centre_due", "south_due"}
    assert picked["due_soon"] == {"soon"}
    follow = {state: {n for n, c in work.people.items() if c in Client.objects.in_follow_up_state(state, now=now)}
              for state in ("today", "overdue")}
    assert follow == {"today": {"follow_today"}, "overdue": {"follow_late"}}


@pytest.mark.parametrize("who,unit", [("north_manager", "north"), ("north_manager", "north_sub"),
                                      ("north_sub_manager", "north_sub"), ("head_office", "ho"),
                                      ("head_office", "south")])
def test_callback_card_equals_the_rules_for_the_unit(work, web_as, who, unit):
    unit = getattr(work, unit)
    response = web_as(getattr(work, who)).get(URL, {"unit": unit.pk})
    assert response.status_code == 200
    assert card(response) == expected(unit)
    assert response.context["callbacks"]["refreshed_at"] is not None


def test_drill_down_narrows_the_callback_card(work, web_as):
    page = web_as(work.north_manager)
    branch, sub = card(page.get(URL)), card(page.get(URL, {"unit": work.north_sub.pk}))
    assert branch["callbacks_overdue"] == sub["callbacks_overdue"] + 1  # the centre's client
    bank = card(web_as(work.head_office).get(URL))
    assert bank["callbacks_overdue"] == branch["callbacks_overdue"] + 1  # the south's client
    assert bank["callbacks_due_soon"] == branch["callbacks_due_soon"] == sub["callbacks_due_soon"] == 1


def test_each_work_figure_links_to_the_clients_behind_it(work, web_as):
    page = web_as(work.north_manager)
    body = page.get(URL, {"unit": work.north_sub.pk}).content.decode()
    unit = work.north_sub.pk
    for query, figure in (("callback=overdue", "callbacks_overdue"), ("callback=due_soon", "callbacks_due_soon"),
                          ("follow_up=today", "follow_ups_today"), ("follow_up=overdue", "follow_ups_overdue")):
        assert f"/clients/?org_unit={unit}&amp;{query}" in body
        listed = page.get(f"/clients/?org_unit={unit}&{query}")
        assert listed.status_code == 200
        assert len(listed.context["clients"]) == expected(work.north_sub)[figure]
    assert names(page.get(f"/clients/?org_unit={unit}&follow_up=overdue"), work.people) == {"follow_late"}
    assert names(page.get(f"/clients/?org_unit={unit}&callback=due_soon"), work.people) == {"soon"}


def test_an_unknown_callback_state_is_a_clear_400_on_the_api(work, api_as):
    response = api_as(work.north_manager).get("/api/v1/clients/", {"callback": "late"})
    assert response.status_code == 400
    assert "callback" in response.json()


def test_the_summary_is_what_the_dashboard_reads_not_a_live_count(work, web_as):
    """Figures come from the nightly summary: a client reached after the refresh still counts until the next."""
    page = web_as(work.north_manager)
    before = card(page.get(URL))
    contacted(work.people["never"], work.advisor, days_ago=0)
    assert card(page.get(URL)) == before
    summary.refresh_callback_summary()
    assert card(page.get(URL))["callbacks_overdue"] == before["callbacks_overdue"] - 1


def test_every_unit_has_a_summary_row_with_zeros(work):
    from wealthcrm.org.models import OrgUnit

    assert OrgCallbackSummary.objects.count() == OrgUnit.objects.count()
    assert OrgCallbackSummary.objects.get(org_unit=work.south_sub).callbacks_due_soon == 0


# --- reassignments ----------------------------------------------------------------------------------------------

def test_reassign_count_of_the_month_per_unit(work, web_as):
    client = work.people["never"]
    client_services.reassign_client(client=client, advisor=work.advisor2, actor=work.north_manager)
    client_services.reassign_client(client=client, advisor=work.advisor2, actor=work.north_manager)  # no change
    south = work.people["south_due"]
    other = StaffFactory(username="sz_pb2", role=Role.ADVISOR, org_unit=work.south)  # a 分行级 client: the centre
    client_services.reassign_client(client=south, advisor=other, actor=work.south_manager)
    assert Reassignment.objects.count() == 2
    row = Reassignment.objects.get(client=client)
    assert (row.from_advisor, row.to_advisor, row.actor, row.org_unit) == (
        work.advisor, work.advisor2, work.north_manager, work.north_sub)

    north = web_as(work.north_manager)
    assert north.get(URL).context["reassigned"] == 1
    assert north.get(URL, {"unit": work.north_outlet.pk}).context["reassigned"] == 0
    assert north.get(URL, {"period": str(this_month().previous)}).context["reassigned"] == 0
    assert web_as(work.head_office).get(URL).context["reassigned"] == 2

    north = web_as(work.north_manager)  # one test client: signed in again as the manager
    period = this_month()
    link = (f"/clients/?org_unit={work.north.pk}&amp;reassigned_after={period.start:%Y-%m-%d}"
            f"&amp;reassigned_before={period.end:%Y-%m-%d}")
    assert link in north.get(URL).content.decode()
    listed = north.get(link.replace("&amp;", "&"))
    assert [c.pk for c in listed.context["clients"]] == [client.pk]


def test_a_reassignment_last_month_is_not_this_months(work, web_as):
    client_services.reassign_client(client=work.people["never"], advisor=work.advisor2, actor=work.north_manager)
    Reassignment.objects.update(at=this_month().start_at - dt.timedelta(hours=1))
    page = web_as(work.north_manager)
    assert page.get(URL).context["reassigned"] == 0
    assert page.get(URL, {"period": str(this_month().previous)}).context["reassigned"] == 1


# --- acquisition channels ---------------------------------------------------------------------------------------

def test_channels_come_from_the_summary_and_narrow_with_the_unit(work, web_as):
    referral(referrer=work.south_hall, advisor=work.south_advisor, due=timezone.now() + dt.timedelta(hours=2))
    summary.refresh_dashboard_summaries()
    page = web_as(work.head_office)
    bank = {c["channel"]: c for c in page.get(URL).context["channels"]}
    assert bank["remote"]["clients"] == 1
    assert sum(c["referrals"] for c in bank.values()) == 1
    north = {c["channel"]: c for c in page.get(URL, {"unit": work.north.pk}).context["channels"]}
    assert north["remote"]["clients"] == 0 and sum(c["referrals"] for c in north.values()) == 0


# --- the API ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["advisor", "account_manager", "centre_advisor", "hall"])
def test_front_line_staff_get_403_from_the_api(work, api_as, who):
    assert api_as(getattr(work, who)).get(API).status_code == 403


def test_anonymous_gets_401_or_403_from_the_api(work, api_as):
    assert api_as(None).get(API).status_code in (401, 403)


def test_api_figures_are_the_pages(work, api_as, web_as):
    client_services.reassign_client(client=work.people["never"], advisor=work.advisor2, actor=work.north_manager)
    for who, unit in (("north_manager", work.north), ("north_manager", work.north_sub), ("head_office", work.ho)):
        page = web_as(getattr(work, who)).get(URL, {"unit": unit.pk}).context
        body = api_as(getattr(work, who)).get(API, {"unit": unit.pk}).json()
        assert body["unit"] == {"id": unit.pk, "name": unit.name, "kind": unit.kind}
        assert body["period"] == str(this_month())
        assert body["clients"] == page["mix_totals"]["clients"]
        assert body["aum"] == f"{page['mix_totals']['aum']:.2f}"
        assert [r["clients"] for r in body["tier_mix"]] == [r["clients"] for r in page["mix"]]
        assert body["callbacks"]["callbacks_overdue"] == page["callbacks"]["callbacks_overdue"]
        assert {k: body["callbacks"][k] for k in summary.CALLBACK_FIGURES} == expected(unit)
        assert body["reassigned"] == page["reassigned"]
        assert body["tier_changes"]["upgrades"] == page["moves"]["upgrades"]
        assert body["referral_funnel"]["total"] == page["funnel"]["total"]
        assert body["referral_deadlines"] == page["deadlines"]
        assert [u["id"] for u in body["breadcrumb"]] == [u.pk for u in page["ancestors"]]
        assert [u["id"] for u in body["children"]] == [u.pk for u in page["children"]]
        assert [r["advisor"] for r in body["leaderboard"]] == [c.advisor_id for c in page["leaders"]]


def test_api_head_office_sections(work, api_as):
    manager = api_as(work.north_manager).get(API).json()
    assert manager["acquisition_channels"] is None and manager["carded_echelons"] is None
    head = api_as(work.head_office).get(API).json()
    assert len(head["acquisition_channels"]) == 6
    assert {c["channel"]: c["clients"] for c in head["acquisition_channels"]}["remote"] == 1
    assert head["carded_echelons"] == [] and head["echelon_period"] == str(this_month().previous)


def test_api_scope_and_drill_down(work, api_as):
    sub_manager = api_as(work.north_sub_manager)
    assert sub_manager.get(API).json()["unit"]["id"] == work.north_sub.pk
    for outside in (work.north, work.ho, work.south, work.south_sub):
        assert sub_manager.get(API, {"unit": outside.pk}).status_code == 404
    assert sub_manager.get(API, {"unit": 999999}).status_code == 404
    assert sub_manager.get(API, {"unit": work.north_outlet.pk}).status_code == 200
    north = api_as(work.north_manager)
    assert north.get(API, {"unit": work.south.pk}).status_code == 404
    assert api_as(work.head_office).get(API, {"unit": work.south_sub.pk}).status_code == 200


@pytest.mark.parametrize("params,field", [({"period": "2026-13"}, "period"), ({"period": "bad"}, "period"),
                                          ({"period": "1999-12"}, "period"), ({"period": "9999-12"}, "period"),
                                          ({"unit": "abc"}, "unit"), ({"unit": "0"}, "unit"),
                                          ({"unit": "99999999999"}, "unit")])
def test_api_bad_parameters_are_400_with_the_field(work, api_as, params, field):
    response = api_as(work.north_manager).get(API, params)
    assert response.status_code == 400
    assert field in response.json()


def test_api_a_past_period(work, api_as):
    body = api_as(work.north_manager).get(API, {"period": str(this_month().previous)}).json()
    assert body["period"] == str(this_month().previous)
    assert body["reassigned"] == 0


def grow(bank, n):
    """``n`` more advisors in the north sub-branch, each with clients due, follow-ups and a reassignment."""
    for i in range(n):
        advisor = StaffFactory(username=f"grow{i}", role=Role.ADVISOR, org_unit=bank.north_sub)
        for _j in range(3):
            client = client_of(advisor, tier=Tier.SUB_BRANCH, aum=Decimal("1000000"))
            contacted(client, advisor, days_ago=5, next_in=3)
        client_services.reassign_client(client=client, advisor=bank.advisor, actor=bank.north_manager)
    summary.refresh_dashboard_summaries()


@pytest.mark.parametrize("who", ["north_manager", "head_office"])
def test_api_query_count_does_not_grow_with_rows(work, api_as, django_assert_max_num_queries, who):
    api = api_as(getattr(work, who))
    api.get(API)  # the calendar cache
    with django_assert_max_num_queries(API_MAX_QUERIES[who]):
        assert api.get(API).status_code == 200
    grow(work, 10)
    with django_assert_max_num_queries(API_MAX_QUERIES[who]):
        body = api.get(API).json()
    assert body["callbacks"]["follow_ups_overdue"] >= 30 and body["reassigned"] >= 10


@pytest.mark.parametrize("who", ["north_manager", "head_office"])
def test_page_query_count_does_not_grow_with_work_rows(work, web_as, django_assert_max_num_queries, who):
    page = web_as(getattr(work, who))
    page.get(URL)
    with django_assert_max_num_queries(PAGE_MAX_QUERIES[who]):
        assert page.get(URL).status_code == 200
    grow(work, 10)
    with django_assert_max_num_queries(PAGE_MAX_QUERIES[who]):
        response = page.get(URL)
    assert response.context["reassigned"] >= 10


# one read per card (tests/performance/test_dashboard.py), plus the callback summary and the reassign count;
# the page adds session, user and navigation; a branch manager's referral scope reads their unit ids once
API_MAX_QUERIES = {"north_manager": 13, "head_office": 16}
PAGE_MAX_QUERIES = {"north_manager": 17, "head_office": 20}
