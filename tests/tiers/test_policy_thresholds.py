"""Value-segment thresholds and the risk-assessment validity are effective-dated policy data (issue 16 item 5)."""

from datetime import date, timedelta
from decimal import Decimal

from django.urls import reverse

from tests.factories import ClientFactory
from tiers import services
from tiers.models import TierPolicy
from wealthcrm.tiering import ValueSegment, risk_assessment_validity

FLOORS = {"head_office_floor": Decimal("100000000.00"), "branch_floor": Decimal("20000000.00"),
          "near_threshold_margin": Decimal("0.10")}


def test_the_defaults_come_from_the_migration(db):
    policy = TierPolicy.objects.effective_on(date(2026, 3, 31))
    assert (policy.contribution_high, policy.wallet_gap_min, policy.activity_days,
            policy.risk_assessment_valid_days) == (Decimal("100000.00"), Decimal("1000000.00"), 90, 365)


def test_the_recompute_uses_the_thresholds_of_the_policy_in_force(bank):
    client = ClientFactory(org_unit=bank.north_sub, aum=Decimal("500000.00"), contribution=Decimal("60000.00"))
    services.recompute_tiers(as_of=date(2026, 3, 31))
    client.refresh_from_db()
    assert client.value_segment == ValueSegment.D
    services.create_policy(actor=bank.head_office, effective_from=date(2026, 4, 1), **FLOORS,
                           contribution_high=Decimal("50000.00"))
    services.recompute_tiers(as_of=date(2026, 4, 1))
    client.refresh_from_db()
    assert client.value_segment == ValueSegment.C


def test_a_new_policy_that_leaves_a_threshold_out_keeps_the_one_in_force(bank, api_as):
    services.create_policy(actor=bank.head_office, effective_from=date(2026, 6, 1), **FLOORS, activity_days=60)
    response = api_as(bank.head_office).post("/api/v1/tier-policies/", {
        "effective_from": "2027-01-01", "head_office_floor": "120000000.00", "branch_floor": "30000000",
        "near_threshold_margin": "0.15", "wallet_gap_min": "2000000"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["wallet_gap_min"], body["activity_days"], body["contribution_high"],
            body["risk_assessment_valid_days"]) == ("2000000.00", 60, "100000.00", 365)


def test_head_office_edits_the_thresholds_on_the_policy_page(bank, web_as):
    web = web_as(bank.head_office)
    page = web.get(reverse("tiers:policy")).content.decode()
    assert "风险测评有效天数" in page and "高贡献门槛" in page
    response = web.post(reverse("tiers:policy"), {
        "effective_from": "2027-01-01", "head_office_floor": "100000000", "branch_floor": "20000000",
        "near_threshold_margin": "0.10", "risk_assessment_valid_days": "730"})
    assert response.status_code == 302
    assert TierPolicy.objects.get(effective_from=date(2027, 1, 1)).risk_assessment_valid_days == 730


def test_the_risk_assessment_validity_follows_the_policy(bank, api_as):
    services.create_policy(actor=bank.head_office, effective_from=date(2026, 1, 1), **FLOORS,
                           risk_assessment_valid_days=180)
    assert risk_assessment_validity(date(2026, 6, 1)) == timedelta(days=180)
    client = ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, risk_assessed_on=date(2026, 1, 10))
    body = api_as(bank.advisor).get(f"/api/v1/clients/{client.pk}/").json()
    assert body["risk_expires_on"] == "2026-07-09"
