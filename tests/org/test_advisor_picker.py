"""The shared advisor picker of the reassign pages (``org:advisor-picker``): who it offers to whom, and to whom
it answers at all."""

import pytest
from django.urls import reverse

from tests.factories import StaffFactory
from wealthcrm.org.choices import Role

pytestmark = pytest.mark.django_db

URL = reverse("org:advisor-picker")


def _offered(web, **params) -> set[str]:
    response = web.get(URL, {"format": "json", **params})
    assert response.status_code == 200
    return {row["username"] for row in response.json()["results"]}


@pytest.mark.parametrize(("who", "offered"), [
    ("north_manager", {"bj_pb", "bj01_adv", "bj01_adv2", "bj0101_am"}),
    ("north_sub_manager", {"bj01_adv", "bj01_adv2", "bj0101_am"}),
    ("south_manager", {"sz01_adv"}),
    ("head_office", {"bj_pb", "bj01_adv", "bj01_adv2", "bj0101_am", "sz01_adv"}),
    ("admin", {"bj_pb", "bj01_adv", "bj01_adv2", "bj0101_am", "sz01_adv"}),
])
def test_offers_only_the_active_advisors_the_manager_may_assign(bank, web_as, who, offered):
    StaffFactory(username="bj01_gone", role=Role.ADVISOR, org_unit=bank.north_sub, is_active=False)
    assert _offered(web_as(getattr(bank, who))) == offered  # never managers, hall staff or the inactive


@pytest.mark.parametrize("who", ["advisor", "account_manager", "hall", "south_hall"])
def test_roles_that_never_reassign_get_403(bank, web_as, who):
    assert web_as(getattr(bank, who)).get(URL, {"q": "bj"}).status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("login") in response.url


def test_narrows_by_name_or_username_prefix(bank, web_as):
    bank.advisor2.display_name = "王小明"
    bank.advisor2.save(update_fields=["display_name"])
    web = web_as(bank.head_office)
    assert _offered(web, q="bj01") == {"bj01_adv", "bj01_adv2", "bj0101_am"}
    assert _offered(web, q="bj01_") == {"bj01_adv", "bj01_adv2"}
    assert _offered(web, q="BJ01_ADV2") == {"bj01_adv2"}
    assert _offered(web, q="王小") == {"bj01_adv2"}
    assert _offered(web, q="小明") == set()  # a prefix, not any part
    assert _offered(web_as(bank.south_manager), q="bj") == set()  # out of scope stays out, whatever is typed


def test_html_options_are_buttons_that_carry_the_advisor(bank, web_as):
    html = web_as(bank.north_manager).get(URL, {"q": "bj0101"}).content.decode()
    assert f'data-pick-advisor="{bank.account_manager.pk}"' in html and "望京网点" in html
    assert "sz01_adv" not in html
    empty = web_as(bank.north_manager).get(URL, {"q": "<b>zz"}).content.decode()
    assert "<b>zz" not in empty and "&lt;b&gt;zz" in empty  # the text typed comes back escaped


@pytest.mark.parametrize("q", ["", " ", "x" * 500, "%", "_", "'; --", "\u00b2", "a\x00b"])
def test_any_text_is_an_answer_not_an_error(bank, web_as, q):
    assert web_as(bank.head_office).get(URL, {"q": q}).status_code == 200


def test_offers_at_most_a_short_list_in_constant_queries(bank, web_as, django_assert_max_num_queries):
    from wealthcrm.org.views import PICKER_LIMIT

    web = web_as(bank.head_office)
    with django_assert_max_num_queries(6) as few:
        web.get(URL)
    for n in range(PICKER_LIMIT + 5):
        StaffFactory(username=f"bj01_extra{n}", role=Role.ADVISOR, org_unit=bank.north_sub)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(web.get(URL, {"format": "json"}).json()["results"]) == PICKER_LIMIT
