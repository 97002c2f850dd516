"""Issue 21 item 3: 公私联动 both ways — a referral records the business line it came from and its direction;
both optional on create (defaults from the referrer's role and from each other), validated, filtered, and
broken down in the funnel."""

import pytest
from django.urls import reverse

from referrals.models import Referral
from referrals.selectors import funnel_by_linkage
from referrals.services import transition
from tests.referrals.factories import at, submit

pytestmark = pytest.mark.django_db
URL = "/api/v1/referrals/"


def _post(api, **body):
    return api.post(URL, {"prospect_name": "李四", **body}, format="json")


@pytest.mark.parametrize(("who", "line"), [("hall", "retail"), ("advisor", "retail"), ("north_manager", "retail")])
def test_without_line_or_direction_a_referral_goes_into_private_banking(bank, api_as, who, line):
    body = _post(api_as(getattr(bank, who)), advisor=bank.advisor.pk).json()
    assert (body["business_line"], body["direction"]) == (line, "corporate_to_private")


def test_a_corporate_account_manager_refers_from_the_corporate_line(bank):
    bank.account_manager.org_unit = bank.north  # at branch level: 对公客户经理
    bank.account_manager.save()
    r = submit(bank.account_manager, advisor=bank.centre_advisor)
    assert (r.business_line, r.direction, r.channel) == ("corporate", "corporate_to_private", "corporate_private")


@pytest.mark.parametrize(("sent", "stored"), [
    ({"business_line": "investment_banking"}, ("investment_banking", "corporate_to_private")),
    ({"business_line": "private_banking"}, ("private_banking", "private_to_corporate")),
    ({"direction": "private_to_corporate"}, ("private_banking", "private_to_corporate")),
    ({"business_line": "international", "direction": "corporate_to_private"},
     ("international", "corporate_to_private")),
])
def test_line_and_direction_are_recorded_either_way(bank, api_as, sent, stored):
    body = _post(api_as(bank.advisor), advisor=bank.advisor.pk, **sent).json()
    assert (body["business_line"], body["direction"]) == stored
    assert Referral.objects.filter(business_line=stored[0], direction=stored[1]).count() == 1


@pytest.mark.parametrize(("sent", "field"), [
    ({"business_line": "retail_banking"}, "business_line"),
    ({"direction": "sideways"}, "direction"),
    ({"business_line": "private_banking", "direction": "corporate_to_private"}, "direction"),
    ({"business_line": "corporate", "direction": "private_to_corporate"}, "direction"),
    ({"business_line": 7}, "business_line"),
])
def test_a_bad_line_or_direction_is_a_400_naming_the_field(bank, api_as, sent, field):
    response = _post(api_as(bank.advisor), advisor=bank.advisor.pk, **sent)
    assert response.status_code == 400 and field in response.json()
    assert not Referral.objects.exists()


def test_the_hall_form_records_line_and_direction(bank, web_as):
    response = web_as(bank.hall).post(reverse("referrals:submit"), {
        "prospect_name": "赵六", "business_line": "small_business", "direction": "corporate_to_private",
        "advisor": bank.advisor.pk})
    assert response.status_code == 302
    assert Referral.objects.get().business_line == "small_business"
    bad = web_as(bank.hall).post(reverse("referrals:submit"), {
        "prospect_name": "赵六", "business_line": "small_business", "direction": "private_to_corporate"})
    assert bad.status_code == 200 and bad.context["form"].errors
    assert Referral.objects.count() == 1


def test_the_list_filters_by_line_and_direction(bank, api_as):
    into = submit(bank.hall, advisor=bank.advisor, business_line="bank_card")
    out = submit(bank.advisor, advisor=bank.advisor, business_line="private_banking")
    api = api_as(bank.north_manager)
    ids = lambda query: [row["id"] for row in api.get(URL + query).json()["results"]]  # noqa: E731
    assert ids("?direction=private_to_corporate") == [out.pk]
    assert ids("?business_line=bank_card") == [into.pk]
    assert set(ids("?business_line=bank_card&business_line=private_banking")) == {into.pk, out.pk}
    assert api.get(URL + "?direction=sideways").status_code == 400


def test_the_funnel_breaks_down_by_direction_and_line(bank, web_as, django_assert_num_queries):
    signed = submit(bank.hall, advisor=bank.advisor, business_line="corporate", now=at(2025, 3, 3, 10))
    transition(referral_id=signed.pk, action="contact", actor=bank.advisor, now=at(2025, 3, 4, 9))
    transition(referral_id=signed.pk, action="sign", actor=bank.advisor, now=at(2025, 3, 5, 9))
    submit(bank.hall, advisor=bank.advisor, business_line="corporate", now=at(2025, 3, 3, 10))
    submit(bank.advisor, advisor=bank.advisor, business_line="private_banking", now=at(2025, 3, 3, 10))
    with django_assert_num_queries(1):
        rows = funnel_by_linkage(Referral.objects.all(), now=at(2025, 3, 10, 9))
    got = [(r["direction"], r["business_line"], r["total"], r["signed"], r["sla_met"], r["sla_due"]) for r in rows]
    assert got == [("corporate_to_private", "corporate", 2, 1, 1, 2),
                   ("private_to_corporate", "private_banking", 1, 0, 0, 1)]
    assert rows[0]["direction_label"] == "公司→私行" and rows[1]["business_line_label"] == "私行"
    page = web_as(bank.north_manager).get(reverse("referrals:funnel"),
                                          {"recommended_after": "2025-03-01", "direction": "private_to_corporate"})
    assert [r["business_line"] for r in page.context["linkage"]] == ["private_banking"]
