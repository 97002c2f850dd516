"""The header search: grouped results, each group within the user's scope."""

import pytest

from referrals.models import Referral
from tests.factories import ClientFactory
from wealthcrm.org.choices import Role


@pytest.fixture
def found(bank):
    mine = ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, client_no="N0001", name="欧阳洋")
    theirs = ClientFactory(org_unit=bank.south_sub, advisor=bank.south_advisor, client_no="S0001", name="韩洋")
    referral = Referral.objects.create(referrer=bank.hall, advisor=bank.south_advisor, client=theirs,
                                       client_no="S0001", org_unit=bank.north_outlet,
                                       recommended_at="2026-11-20T10:00+08:00", sla_due_at="2026-11-23T18:00+08:00")
    prospect = Referral.objects.create(referrer=bank.hall, advisor=bank.advisor, prospect_name="周洋",
                                       org_unit=bank.north_outlet, recommended_at="2026-11-21T10:00+08:00",
                                       sla_due_at="2026-11-24T18:00+08:00")
    return mine, theirs, referral, prospect


def page(web_as, user, q="洋"):
    response = web_as(user).get("/search/", {"q": q})
    assert response.status_code == 200
    return response.context["found"], response.content.decode()


def test_an_advisor_finds_only_their_own_clients_and_referrals(bank, found, web_as):
    mine, _theirs, _referral, prospect = found
    result, html = page(web_as, bank.advisor)
    assert result["clients"] == [mine]
    assert result["referrals"] == [prospect]
    assert "韩洋" not in html


def test_head_office_finds_the_whole_bank(bank, found, web_as):
    mine, theirs, referral, prospect = found
    result, _html = page(web_as, bank.head_office)
    assert set(result["clients"]) == {mine, theirs}
    assert set(result["referrals"]) == {referral, prospect}


def test_hall_staff_find_their_referrals_by_client_name_but_see_only_the_surname(bank, found, web_as):
    _mine, _theirs, referral, prospect = found
    result, html = page(web_as, bank.hall)
    assert result["clients"] == [] and not result["shows_clients"]
    assert set(result["referrals"]) == {referral, prospect}
    assert "韩*（S0001）" in html and "韩洋" not in html


def test_other_staff_find_nothing_of_others(bank, found, web_as):
    result, _html = page(web_as, bank.south_hall)
    assert result["clients"] == [] and result["referrals"] == []


def test_empty_and_over_long_queries(bank, found, web_as):
    result, _html = page(web_as, bank.head_office, q="   ")
    assert result["clients"] == [] and result["referrals"] == []
    result, _html = page(web_as, bank.head_office, q="洋" * 500)
    assert result["q"] == "洋" * 50


def test_query_count_does_not_grow_with_results(bank, found, web_as, django_assert_max_num_queries):
    for n in range(30):
        ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, name=f"洋{n}")
    client = web_as(bank.advisor)
    with django_assert_max_num_queries(12):
        assert client.get("/search/", {"q": "洋"}).status_code == 200


def test_roles_all_have_the_search_box(bank, web_as):
    for role in (Role.ADVISOR, Role.HALL_STAFF, Role.HEAD_OFFICE):
        user = next(u for u in (bank.advisor, bank.hall, bank.head_office) if u.role == role)
        assert 'role="search"' in web_as(user).get("/").content.decode()
