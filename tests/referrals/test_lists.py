"""The board and the inbox as lists: filters with the user's scope as choices, due-time sort under keyset paging,
page sizes, and the inbox cards refreshing after a row's action."""

import pytest
from django.urls import reverse

from referrals.models import Referral
from tests.referrals.factories import at, submit

pytestmark = pytest.mark.django_db


def _ids(response) -> list[int]:
    return [row["r"].pk for row in response.context["rows"]]


def _walk(web, url: str) -> list[int]:
    ids = []
    while url:
        response = web.get(url)
        assert response.status_code == 200
        ids += _ids(response)
        following = response.context["links"].get("next")
        url = reverse("referrals:board") + following if following else None
    return ids


def test_board_filters_by_advisor_unit_and_date(bank, web_as):
    early = submit(bank.hall, advisor=bank.advisor, now=at(2025, 3, 3, 10))
    late = submit(bank.hall, advisor=bank.advisor2, now=at(2025, 5, 6, 10))
    south = submit(bank.south_hall, advisor=bank.south_advisor, now=at(2025, 5, 6, 10))
    web = web_as(bank.head_office)
    board = reverse("referrals:board")
    assert set(_ids(web.get(board))) == {early.pk, late.pk, south.pk}
    assert _ids(web.get(f"{board}?advisor={bank.advisor2.pk}")) == [late.pk]
    assert _ids(web.get(f"{board}?org_unit={bank.south.pk}")) == [south.pk]
    assert set(_ids(web.get(f"{board}?recommended_after=2025-04-01"))) == {late.pk, south.pk}
    assert _ids(web.get(f"{board}?recommended_before=2025-03-31&org_unit={bank.north.pk}")) == [early.pk]
    # a tab keeps the filters
    html = web.get(f"{board}?advisor={bank.advisor2.pk}").content.decode()
    assert f"?tab=breached&amp;advisor={bank.advisor2.pk}" in html


def test_date_filters_are_the_banks_days(bank, web_as, api_as):
    """A day runs midnight to midnight in Asia/Shanghai (23:30 there is 15:30 UTC, the same day); days at the
    ends of the calendar bound nothing or everything, never a 500."""
    last_thing = submit(bank.hall, advisor=bank.advisor, now=at(2025, 3, 31, 23, 30))
    first_thing = submit(bank.hall, advisor=bank.advisor2, now=at(2025, 4, 1, 0, 30))
    board = reverse("referrals:board")
    web = web_as(bank.head_office)
    assert _ids(web.get(f"{board}?recommended_before=2025-03-31")) == [last_thing.pk]
    assert _ids(web.get(f"{board}?recommended_after=2025-04-01")) == [first_thing.pk]
    assert _ids(web.get(f"{board}?recommended_after=2025-03-31&recommended_before=2025-03-31")) == [last_thing.pk]
    both = {last_thing.pk, first_thing.pk}
    for query, expected in (("recommended_after=0001-01-01", both), ("recommended_before=9999-12-31", both),
                            ("recommended_after=9999-12-31", set()), ("recommended_before=0001-01-01", set())):
        assert set(_ids(web.get(f"{board}?{query}"))) == expected, query
        response = api_as(bank.head_office).get(f"/api/v1/referrals/?{query}")
        assert response.status_code == 200
        assert {row["id"] for row in response.json()["results"]} == expected, query


def test_board_filter_choices_are_the_managers_scope(bank, web_as):
    submit(bank.south_hall, advisor=bank.south_advisor)
    response = web_as(bank.north_manager).get(reverse("referrals:board"))
    form = response.context["filter"].form
    advisors = {pk for pk, _label in form.fields["advisor"].choices if pk}
    units = {pk for pk, _label in form.fields["org_unit"].choices if pk}
    assert bank.advisor.pk in {int(str(pk)) for pk in advisors}
    assert bank.south_advisor.pk not in {int(str(pk)) for pk in advisors}
    assert bank.south.pk not in {int(str(pk)) for pk in units} and bank.north_sub.pk in {int(str(pk)) for pk in units}
    # names, not ids, in the drop-down
    assert str(bank.advisor) in response.content.decode()
    # a unit or advisor out of scope filters nothing in: an empty board, not the south's referrals or a 500
    for query in (f"?advisor={bank.south_advisor.pk}", f"?org_unit={bank.south.pk}", "?recommended_after=2025-13-45",
                  "?advisor=abc"):
        response = web_as(bank.north_manager).get(reverse("referrals:board") + query)
        assert response.status_code == 200 and _ids(response) == []


def test_board_due_sort_with_equal_deadlines_walks_every_referral_once(bank, web_as):
    # submitted at the same moment: all 25 share one deadline, so only the id breaks the tie
    made = [submit(bank.hall, advisor=bank.advisor, now=at(2025, 3, 3, 10)).pk for _ in range(25)]
    made.append(submit(bank.hall, advisor=bank.advisor, now=at(2025, 3, 10, 10)).pk)
    web = web_as(bank.north_manager)
    ascending = _walk(web, reverse("referrals:board") + "?sort=due&size=20")
    descending = _walk(web, reverse("referrals:board") + "?sort=-due&size=20")
    assert ascending == made
    assert descending == made[::-1]


def test_board_bad_sort_and_size_fall_back(bank, web_as):
    made = [submit(bank.hall, advisor=bank.advisor, now=at(2025, 3, day, 10)).pk for day in range(3, 6)]
    for query in ("?sort=prospect_phone", "?sort=-advisor__password", "?size=3", "?size=-1"):
        response = web_as(bank.north_manager).get(reverse("referrals:board") + query)
        assert response.status_code == 200 and _ids(response) == made


def test_filtered_board_queries_do_not_grow(bank, web_as, django_assert_max_num_queries):
    for _ in range(3):
        submit(bank.hall, advisor=bank.advisor)
    web = web_as(bank.north_manager)
    url = reverse("referrals:board") + f"?org_unit={bank.north.pk}&advisor={bank.advisor.pk}&sort=-due&size=100"
    web.get(url)
    with django_assert_max_num_queries(14):
        web.get(url)
    for _ in range(30):
        submit(bank.hall, advisor=bank.advisor)
    with django_assert_max_num_queries(14):
        assert len(_ids(web.get(url))) == 33


def test_inbox_sorts_by_due_and_pages(bank, web_as):
    first = submit(bank.hall, advisor=bank.advisor, now=at(2025, 3, 3, 10))
    second = submit(bank.hall, advisor=bank.advisor, now=at(2025, 3, 10, 10))
    web = web_as(bank.advisor)
    assert _ids(web.get(reverse("referrals:inbox") + "?sort=-due")) == [second.pk, first.pk]
    assert _ids(web.get(reverse("referrals:inbox") + "?sort=due")) == [first.pk, second.pk]
    response = web.get(reverse("referrals:inbox"))
    assert response.context["counts"] == {"total": 2, "breached": 0, "awaiting": 2}


def test_inbox_queries_do_not_grow(bank, web_as, django_assert_max_num_queries):
    submit(bank.hall, advisor=bank.advisor)
    web = web_as(bank.advisor)
    web.get(reverse("referrals:inbox"))
    with django_assert_max_num_queries(8):
        web.get(reverse("referrals:inbox"))
    for _ in range(20):
        submit(bank.hall, advisor=bank.advisor)
    with django_assert_max_num_queries(8):
        assert len(_ids(web.get(reverse("referrals:inbox")))) == 21


def test_inbox_cards_refresh_after_a_rows_action(bank, referral, web_as):
    web = web_as(bank.advisor)
    page = web.get(reverse("referrals:inbox")).content.decode()
    assert 'hx-trigger="referral-changed from:body"' in page
    response = web.post(reverse("referrals:act", args=[referral.pk, "contact"]), {"row": "inbox"},
                        HTTP_HX_REQUEST="true")
    assert response["HX-Trigger"] == "referral-changed"
    cards = web.get(reverse("referrals:inbox") + "?part=stats", HTTP_HX_REQUEST="true")
    assert cards.context["counts"]["awaiting"] == 0 and "<table" not in cards.content.decode()
    assert Referral.objects.get(pk=referral.pk).status == "contacted"
    # a refused action changes nothing: no refresh
    again = web.post(reverse("referrals:act", args=[referral.pk, "contact"]), {"row": "inbox"},
                     HTTP_HX_REQUEST="true")
    assert "HX-Trigger" not in again
