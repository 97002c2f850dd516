"""/api/v1/referrals/ per API.md: fields, filters, bad input, actions, and scope for every role."""

import pytest

from referrals.api import STATUS_FIELDS
from referrals.services import transition
from tests.factories import ClientFactory
from tests.referrals.factories import at, submit

pytestmark = pytest.mark.django_db

URL = "/api/v1/referrals/"
FULL_ONLY = {"estimated_assets", "prospect_phone_masked", "note", "client_name", "prospect_name", "decline_reason"}

# Who sees the fixture referral (hall → north sub-branch advisor) and how.
FULL = ["advisor", "north_manager", "north_sub_manager", "head_office", "admin"]
STATUS_ONLY = ["hall"]
NOBODY = ["advisor2", "centre_advisor", "account_manager", "south_advisor", "south_manager", "south_hall"]


@pytest.mark.parametrize("who", FULL)
def test_detail_in_full_for_advisor_and_managers(bank, referral, api_as, who):
    body = api_as(getattr(bank, who)).get(f"{URL}{referral.pk}/").json()
    assert body["estimated_assets"] == "3000000.00"
    assert body["prospect_phone_masked"] == "138****5678"
    assert body["advisor"] == bank.advisor.pk and body["referrer"] == bank.hall.pk
    assert "prospect_phone" not in body


@pytest.mark.parametrize("who", STATUS_ONLY)
def test_referrer_sees_status_only(bank, referral, api_as, who):
    body = api_as(getattr(bank, who)).get(f"{URL}{referral.pk}/").json()
    assert set(body) == set(STATUS_FIELDS)
    assert not FULL_ONLY & set(body)
    assert body["status"] == "recommended" and body["subject"] == "张*"
    listed = api_as(getattr(bank, who)).get(URL).json()["results"]
    assert [r["id"] for r in listed] == [referral.pk] and "estimated_assets" not in listed[0]


@pytest.mark.parametrize("who", NOBODY)
def test_everyone_else_gets_404_and_an_empty_list(bank, referral, api_as, who):
    client = api_as(getattr(bank, who))
    assert client.get(f"{URL}{referral.pk}/").status_code == 404
    assert client.get(URL).json()["results"] == []
    for action, payload in [("contact", {}), ("sign", {}), ("decline", {"reason": "x"}), ("close", {}),
                            ("reassign", {"advisor": bank.advisor2.pk})]:
        assert client.post(f"{URL}{referral.pk}/{action}/", payload, format="json").status_code == 404


def test_referrer_cannot_act(bank, referral, api_as):
    assert api_as(bank.hall).post(f"{URL}{referral.pk}/contact/", {}, format="json").status_code == 404


def test_anonymous_is_refused(referral, api_as):
    assert api_as(None).get(URL).status_code in (401, 403)


@pytest.mark.parametrize("who", FULL + STATUS_ONLY + NOBODY)
def test_list_scope_for_every_role(bank, api_as, who):
    """Four referrals around the bank; each role lists exactly the ones it may see."""
    north = submit(bank.hall, advisor=bank.advisor)
    centre = submit(bank.hall, advisor=bank.centre_advisor)
    south = submit(bank.south_hall, advisor=bank.south_advisor)
    by_am = submit(bank.account_manager, advisor=bank.advisor2)
    expected = {
        "advisor": {north}, "north_manager": {north, centre, by_am}, "north_sub_manager": {north, centre, by_am},  # centre: referred from his outlet
        "head_office": {north, centre, south, by_am}, "admin": {north, centre, south, by_am},
        "hall": {north, centre}, "advisor2": {by_am}, "centre_advisor": {centre}, "account_manager": {by_am},
        "south_advisor": {south}, "south_manager": {south}, "south_hall": {south},
    }[who]
    got = {r["id"] for r in api_as(getattr(bank, who)).get(URL).json()["results"]}
    assert got == {r.pk for r in expected}


def test_create_routes_and_returns_the_contract_fields(bank, api_as):
    response = api_as(bank.account_manager).post(URL, {"prospect_name": "李四", "prospect_phone": "13900001111",
                                                       "estimated_assets": "25000000", "note": "企业主"},
                                                 format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    for field in ["id", "status", "referrer", "advisor", "recommended_at", "sla_due_at", "sla_breached",
                  "contacted_at", "signed_at", "closed_at"]:
        assert field in body
    assert body["advisor"] == bank.centre_advisor.pk and body["status"] == "recommended"


def test_hall_staff_create_gets_status_only(bank, api_as):
    body = api_as(bank.hall).post(URL, {"prospect_name": "王五", "estimated_assets": 1000}, format="json").json()
    assert "estimated_assets" not in body and body["status"] == "recommended"


def test_hall_may_refer_a_client_they_cannot_see_by_client_no(bank, api_as):
    client = ClientFactory(org_unit=bank.south_sub, advisor=bank.south_advisor, aum=123)
    response = api_as(bank.hall).post(URL, {"client_no": client.client_no}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["advisor"] == bank.south_advisor.pk
    assert client.name not in str(body) and "aum" not in body


@pytest.mark.parametrize(("payload", "field"), [
    ({}, "prospect_name"),
    ({"prospect_name": " "}, "prospect_name"),
    ({"prospect_name": "赵六", "estimated_assets": "-5"}, "estimated_assets"),
    ({"prospect_name": "赵六", "estimated_assets": "一千万"}, "estimated_assets"),
    ({"prospect_name": "赵六", "estimated_assets": "1.001"}, "estimated_assets"),
    ({"client_no": "NO-SUCH"}, "client_no"),
    ({"client": 999999}, "client"),
    ({"prospect_name": "赵六", "advisor": "SOUTH"}, "advisor"),
    ({"prospect_name": "赵六", "channel": "telepathy"}, "channel"),
    ({"prospect_name": "赵六", "prospect_phone": "abc"}, "prospect_phone"),
])
def test_bad_input_is_400_naming_the_field(bank, api_as, payload, field):
    if payload.get("advisor") == "SOUTH":
        payload = {**payload, "advisor": bank.south_advisor.pk}
    response = api_as(bank.hall).post(URL, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_actions_return_200_with_the_updated_referral(bank, referral, api_as):
    api = api_as(bank.advisor)
    body = api.post(f"{URL}{referral.pk}/contact/", {"note": "已联系"}, format="json").json()
    assert body["status"] == "contacted" and body["contacted_at"]
    assert api.post(f"{URL}{referral.pk}/sign/", {}, format="json").json()["status"] == "signed"
    assert api.post(f"{URL}{referral.pk}/close/", {"note": "回访"}, format="json").json()["status"] == "closed"


def test_illegal_action_is_409_with_current_status(bank, referral, api_as):
    response = api_as(bank.advisor).post(f"{URL}{referral.pk}/sign/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["status"] == "recommended" and response.json()["detail"]


def test_decline_without_reason_is_400(bank, referral, api_as):
    transition(referral_id=referral.pk, action="contact", actor=bank.advisor)
    response = api_as(bank.advisor).post(f"{URL}{referral.pk}/decline/", {}, format="json")
    assert response.status_code == 400 and "reason" in response.json()


def test_reassign_by_manager_and_not_by_advisor(bank, referral, api_as):
    assert api_as(bank.advisor).post(f"{URL}{referral.pk}/reassign/", {"advisor": bank.advisor2.pk},
                                     format="json").status_code == 403
    response = api_as(bank.north_manager).post(f"{URL}{referral.pk}/reassign/", {"advisor": bank.advisor2.pk},
                                               format="json")
    assert response.status_code == 200 and response.json()["advisor"] == bank.advisor2.pk
    bad = api_as(bank.north_manager).post(f"{URL}{referral.pk}/reassign/", {"advisor": bank.south_advisor.pk},
                                          format="json")
    assert bad.status_code == 400 and "advisor" in bad.json()


def test_filters(bank, api_as):
    a = submit(bank.hall, advisor=bank.advisor, now=at(2025, 3, 3, 10))
    b = submit(bank.south_hall, advisor=bank.south_advisor, now=at(2025, 3, 3, 10))
    c = submit(bank.account_manager, advisor=bank.centre_advisor, now=at(2025, 3, 3, 10))
    transition(referral_id=c.pk, action="contact", actor=bank.centre_advisor, now=at(2025, 3, 5, 10))
    api = api_as(bank.head_office)

    def ids(query):
        response = api.get(URL + query)
        assert response.status_code == 200, response.content
        return {r["id"] for r in response.json()["results"]}

    assert ids("?status=contacted") == {c.pk}
    assert ids("?status=recommended&status=contacted") == {a.pk, b.pk, c.pk}
    assert ids(f"?advisor={bank.south_advisor.pk}") == {b.pk}
    assert ids(f"?referrer={bank.hall.pk}") == {a.pk}
    assert ids("?sla_breached=true") == {c.pk}
    assert ids(f"?org_unit={bank.north.pk}") == {a.pk, c.pk}          # descendants included
    assert ids(f"?org_unit={bank.north_outlet.pk}") == {a.pk, c.pk}   # the referring unit
    assert ids(f"?org_unit={bank.south_sub.pk}") == {b.pk}


@pytest.mark.parametrize("query", ["?status=lost", "?sla_breached=maybe", "?advisor=abc", "?org_unit=999999"])
def test_unknown_filter_values_are_400(bank, api_as, query):
    assert api_as(bank.head_office).get(URL + query).status_code == 400


def test_list_queries_do_not_grow_with_rows(bank, api_as, django_assert_max_num_queries):
    for _ in range(3):
        submit(bank.hall, advisor=bank.advisor)
    api = api_as(bank.north_manager)
    # The manager's subtree, the page, then one each for its referrers, advisors, units, clients and turns.
    with django_assert_max_num_queries(7):
        assert len(api.get(URL).json()["results"]) == 3
    for _ in range(30):
        client = ClientFactory(org_unit=bank.north_outlet, advisor=bank.advisor)
        submit(bank.hall, advisor=bank.advisor, client=client, prospect_name="")
    with django_assert_max_num_queries(7):
        rows = api.get(URL).json()["results"]
    assert len(rows) == 33 and rows[0]["client_name"] == client.name


def test_the_referrer_reads_the_advisors_reply_and_channel_but_no_assets(bank, referral, api_as, web_as):
    response = api_as(bank.advisor).post(f"{URL}{referral.pk}/contact/",
                                         {"note": "已电话联系，约下周三面谈", "channel": "visit"}, format="json")
    assert response.status_code == 200
    seen = api_as(bank.hall).get(f"{URL}{referral.pk}/").json()
    assert seen["reply"] == "已电话联系，约下周三面谈" and seen["contact_channel"] == "visit"
    assert not FULL_ONLY & set(seen)
    page = web_as(bank.hall).get(f"/referrals/{referral.pk}/").content.decode()
    reply = page.split("顾问回复")[1][:200]
    assert "已电话联系，约下周三面谈" in page
    assert not any(assets in reply for assets in ("300万", "300.00万", "3000000", "3,000,000"))
    from wealthcrm.notifications.models import Notification

    assert Notification.objects.filter(recipient=bank.hall, body__contains="约下周三面谈").exists()


def test_an_unknown_contact_channel_is_400_and_changes_nothing(bank, referral, api_as):
    response = api_as(bank.advisor).post(f"{URL}{referral.pk}/contact/", {"note": "x", "channel": "fax"},
                                         format="json")
    assert response.status_code == 400 and "channel" in response.json()
    referral.refresh_from_db()
    assert referral.status == "recommended" and referral.reply == ""


def test_a_page_mixes_full_and_status_only_rows_in_order(bank, referral, api_as):
    from referrals.api import ReferralSerializer, ReferralStatusSerializer, represent_page
    from referrals.models import Referral

    mine = submit(bank.advisor, advisor=bank.advisor2, prospect_name="李四", now=at(2025, 3, 4, 10))
    # north_manager acts on both; the advisor referred one and is assigned the other
    for user in (bank.north_manager, bank.advisor):
        page = list(Referral.objects.visible_to(user).with_access(user).order_by("id"))
        expected = [(ReferralSerializer if r.can_act else ReferralStatusSerializer)(r).data for r in page]
        assert represent_page(page) == expected
    body = api_as(bank.advisor).get(URL).json()["results"]
    by_id = {row["id"]: row for row in body}
    assert "note" in by_id[referral.pk] and "note" not in by_id[mine.pk]
