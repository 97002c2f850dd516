"""Regression tests of the security review: one per defect found (see each test's docstring)."""

from decimal import Decimal

import pytest

from clients.models import AumSnapshot, Company
from tests.clients.factories import HouseholdFactory
from tests.factories import ClientFactory
from wealthcrm.audit.models import AuditEvent
from wealthcrm.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/clients/", "/audit/"])
def test_keyset_cursor_with_non_ascii_digit_is_ignored_not_500(bank, world, web_as, url):
    """'²'.isdigit() is True but int('²') raises: the list pages used to answer 500."""
    response = web_as(bank.head_office).get(url, {"after": "²", "before": "²"})
    assert response.status_code == 200


def test_nul_character_in_query_string_is_audited_without_500(bank, world, web_as):
    """An export audits its query string; PostgreSQL jsonb rejects \\u0000, so a %00 gave a 500."""
    response = web_as(bank.head_office).post("/exports/new/clients/?note=%E7%8E%8B%00%E4%BC%9F")
    assert response.status_code == 302
    event = AuditEvent.objects.filter(action="export").latest("id")
    assert event.detail["filters"]["note"] == ["王伟"]


def test_tier_distribution_with_non_numeric_unit_is_404(bank, web_as):
    assert web_as(bank.north_manager).get("/tiers/distribution/", {"unit": "abc"}).status_code == 404
    assert web_as(bank.north_manager).get("/tiers/distribution/", {"unit": "²"}).status_code == 404


def test_tier_reassign_with_non_ascii_digit_advisor_is_a_form_error(bank, world, web_as):
    response = web_as(bank.north_manager).post(f"/tiers/reassign/{world.mine.pk}/", {"advisor": "²"})
    assert response.status_code == 302
    world.mine.refresh_from_db()
    assert world.mine.advisor == bank.advisor


def test_advisor_cannot_join_own_client_to_another_advisors_household(bank, world, api_as):
    """PATCH household=<id> took any household: the 360 page then listed that family's members."""
    theirs = HouseholdFactory(name="李家")
    world.colleague.household = theirs
    world.colleague.save(update_fields=["household"])
    response = api_as(bank.advisor).patch(f"/api/v1/clients/{world.mine.pk}/", {"household": theirs.pk},
                                          format="json")
    assert response.status_code == 400
    assert "household" in response.json()
    world.mine.refresh_from_db()
    assert world.mine.household is None


def test_advisor_may_link_only_a_company_of_their_branch(bank, world, api_as):
    """PATCH company=<id> took any company, naming another branch's corporate client on the 360 page."""
    south_company = Company.objects.create(name="深圳某科技公司", org_unit=bank.south_sub)
    north_company = Company.objects.create(name="北京某制造公司", org_unit=bank.north_outlet)
    api = api_as(bank.advisor)
    refused = api.patch(f"/api/v1/clients/{world.mine.pk}/", {"company": south_company.pk}, format="json")
    assert refused.status_code == 400 and "company" in refused.json()
    accepted = api.patch(f"/api/v1/clients/{world.mine.pk}/", {"company": north_company.pk}, format="json")
    assert accepted.status_code == 200 and accepted.json()["company"] == north_company.pk


def test_advisor_can_join_a_household_of_their_own_clients(bank, world, api_as):
    ours = HouseholdFactory(name="王家")
    ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, household=ours)
    response = api_as(bank.advisor).patch(f"/api/v1/clients/{world.mine.pk}/", {"household": ours.pk},
                                          format="json")
    assert response.status_code == 200
    assert response.json()["household"] == ours.pk


def test_head_office_may_use_any_household(bank, world, api_as):
    family = HouseholdFactory()
    response = api_as(bank.head_office).patch(f"/api/v1/clients/{world.south.pk}/", {"household": family.pk},
                                              format="json")
    assert response.status_code == 200


def test_hall_staff_cannot_refer_a_client_by_guessed_id(bank, world, api_as):
    """By id, hall staff learned the surname and client number of any client (the status view shows both)."""
    response = api_as(bank.hall).post("/api/v1/referrals/", {"client": world.south.pk}, format="json")
    assert response.status_code == 400
    assert "client" in response.json()
    assert world.south.client_no not in response.content.decode()


def test_hall_staff_still_refer_an_existing_client_by_number(bank, world, api_as):
    response = api_as(bank.hall).post("/api/v1/referrals/", {"client_no": world.mine.client_no}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["advisor"] == bank.advisor.pk
    assert "estimated_assets" not in body and "client_name" not in body


def test_advisor_may_refer_own_client_by_id(bank, world, api_as):
    response = api_as(bank.advisor).post("/api/v1/referrals/", {"client": world.mine.pk}, format="json")
    assert response.status_code == 201


@pytest.mark.parametrize("url", ["/\\evil.example/", "//evil.example/", "https://evil.example/", "/\\/evil"])
def test_notification_link_never_redirects_off_site(bank, web_as, url):
    notice = Notification.objects.create(recipient=bank.advisor, title="t", url=url)
    response = web_as(bank.advisor).get(f"/notifications/{notice.pk}/open/")
    assert response.status_code == 302
    assert response["Location"] == "/notifications/"


def test_aum_chart_is_escaped_and_has_no_floats(bank, web_as):
    """Client names with quotes or </script> stay inside the attribute; amounts go out as exact strings."""
    client = ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, name="\"'</script><b>x",
                           aum=Decimal("12345678.91"))
    AumSnapshot.objects.create(client=client, as_of="2026-01-31", aum=Decimal("12345678.91"))
    html = web_as(bank.advisor).get(f"/clients/{client.pk}/").content.decode()
    assert "</script><b>x" not in html
    assert "&lt;/script&gt;&lt;b&gt;x" in html
    chart = html.split("data-chart=\"", 1)[1].split("\"", 1)[0]
    assert "&quot;1234.56&quot;" in chart  # 万元, as a decimal string truncated like the display


@pytest.mark.parametrize("advisor", ["abc", "²", "1.5", "99999999999999999999"])
def test_referral_reassign_page_with_malformed_advisor_is_an_error_message(bank, world, web_as, advisor):
    response = web_as(bank.north_manager).post(f"/referrals/{world.referral.pk}/reassign/", {"advisor": advisor})
    assert response.status_code == 302
    world.referral.refresh_from_db()
    assert world.referral.advisor == bank.advisor
