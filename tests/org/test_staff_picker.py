"""The staff picker of a list filter (``wealthcrm.forms.StaffPicker`` and ``org:staff-picker``): a drop-down while
the people are few, a search box beyond ``SEARCH_ABOVE`` of them, and a search that never reaches out of scope."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import ClientFactory, StaffFactory
from wealthcrm.forms import StaffPicker
from wealthcrm.org.choices import Role

pytestmark = pytest.mark.django_db

URL = reverse("org:staff-picker")


def _picked(web, **params) -> set[int]:
    response = web.get(URL, params)
    assert response.status_code == 200
    return {int(pk) for pk in re.findall(r'data-staff-pick="(\d+)"', response.content.decode())}


def test_search_offers_the_directory_of_the_user_in_the_roles_asked(bank, web_as):
    relationship = {"roles": "advisor,account_manager"}
    everyone_north = {bank.centre_advisor.pk, bank.advisor.pk, bank.advisor2.pk, bank.account_manager.pk}
    assert _picked(web_as(bank.head_office), q="bj", **relationship) == everyone_north
    assert _picked(web_as(bank.north_manager), q="bj01", **relationship) == {
        bank.advisor.pk, bank.advisor2.pk, bank.account_manager.pk}
    assert _picked(web_as(bank.south_manager), q="bj", **relationship) == set()  # out of scope, whatever is typed
    assert _picked(web_as(bank.head_office), q="bj0101") == {bank.account_manager.pk, bank.hall.pk}  # no roles: all
    assert _picked(web_as(bank.head_office), q="BJ01_ADV2", **relationship) == {bank.advisor2.pk}


def test_search_rejects_an_unknown_role_and_escapes_what_was_typed(bank, web_as):
    web = web_as(bank.head_office)
    assert web.get(URL, {"roles": "advisor,root"}).status_code == 400
    html = web.get(URL, {"q": "<b>zz"}).content.decode()
    assert "<b>zz" not in html and "&lt;b&gt;zz" in html


def test_search_needs_a_signed_in_user(client):
    response = client.get(URL, {"q": "bj"})
    assert response.status_code == 302 and reverse("login") in response.url


def _advisor_filter(page_html: str) -> str:
    match = re.search(r'<label for="id_advisor">.*?</div>', page_html, re.S)
    assert match, "the client list has an advisor filter"
    return match.group(0)


def test_few_people_are_a_drop_down(bank, web_as):
    control = _advisor_filter(web_as(bank.head_office).get(reverse("clients:list")).content.decode())
    assert "<select" in control and f'<option value="{bank.south_advisor.pk}"' in control
    assert "data-staff-picker" not in control


def test_many_people_are_a_search_box_that_keeps_the_person_chosen(bank, web_as, monkeypatch):
    monkeypatch.setattr(StaffPicker, "SEARCH_ABOVE", 3)
    ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, aum=Decimal("100"), client_no="PICKN0001")
    ClientFactory(org_unit=bank.south_sub, advisor=bank.south_advisor, aum=Decimal("100"), client_no="PICKS0001")
    web = web_as(bank.head_office)
    control = _advisor_filter(web.get(reverse("clients:list")).content.decode())
    assert "<option" not in control and "data-staff-picker" in control
    assert f'{URL}?roles=account_manager,advisor' in control
    assert 'name="advisor" value=""' in control

    page = web.get(reverse("clients:list"), {"advisor": bank.south_advisor.pk}).content.decode()
    control = _advisor_filter(page)
    assert f'name="advisor" value="{bank.south_advisor.pk}"' in control and f'value="{bank.south_advisor}"' in control
    assert "PICKS0001" in page and "PICKN0001" not in page  # the list is filtered by the person in the box


def test_a_person_out_of_scope_is_never_named_in_the_box(bank, web_as, monkeypatch):
    monkeypatch.setattr(StaffPicker, "SEARCH_ABOVE", 1)
    StaffFactory(username="bj01_adv3", role=Role.ADVISOR, org_unit=bank.north_sub, display_name="北京某顾问")
    page = web_as(bank.north_manager).get(reverse("clients:list"), {"advisor": bank.south_advisor.pk})
    control = _advisor_filter(page.content.decode())
    assert 'name="advisor" value=""' in control and str(bank.south_advisor) not in control
