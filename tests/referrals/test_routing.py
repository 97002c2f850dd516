"""Routing when no advisor is chosen (issue 13 item 3) and the bad-input rules of submission."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from clients.choices import AcquisitionChannel
from referrals.choices import ReferralStatus
from tests.factories import ClientFactory, StaffFactory
from tests.referrals.factories import submit
from tiers.models import TierPolicy
from wealthcrm.org.choices import Role
from wealthcrm.tiering import Tier

pytestmark = pytest.mark.django_db


def test_existing_client_goes_to_their_advisor_even_outside_the_referrers_view(bank):
    client = ClientFactory(org_unit=bank.south_sub, advisor=bank.south_advisor, aum=Decimal("5000000"))
    referral = submit(bank.hall, client_no=client.client_no, prospect_name="")
    assert referral.advisor == bank.south_advisor
    assert referral.client == client and referral.client_no == client.client_no
    assert not referral.routed_to_manager


def test_client_by_id_is_accepted(bank):
    client = ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor2)
    # by id: a client the referrer can see (hall staff refer by client_no; see tests/security)
    assert submit(bank.north_manager, client=client.pk, prospect_name="").advisor == bank.advisor2


def test_high_net_worth_prospect_goes_to_branch_centre(bank):
    floor = TierPolicy.objects.effective_on(__import__("datetime").date(2025, 3, 3)).branch_floor
    referral = submit(bank.hall, estimated_assets=floor)  # the floor itself is 分行级 (inclusive)
    assert referral.advisor == bank.centre_advisor


def test_head_office_tier_prospect_goes_to_branch_centre(bank):
    floor = TierPolicy.objects.effective_on(__import__("datetime").date(2025, 3, 3)).head_office_floor
    assert submit(bank.hall, estimated_assets=floor + 1).advisor == bank.centre_advisor


def test_thresholds_come_from_the_tier_policy(bank):
    import datetime as dt
    TierPolicy.objects.create(effective_from=dt.date(2025, 1, 1), head_office_floor=Decimal("50000000"),
                              branch_floor=Decimal("5000000"), near_threshold_margin=Decimal("0.1"))
    assert submit(bank.hall, estimated_assets="6000000").advisor == bank.centre_advisor


def test_below_branch_floor_goes_to_sub_branch_least_loaded(bank):
    # advisor, advisor2 (sub-branch) and account_manager (outlet below it) are eligible; load decides.
    submit(bank.hall, advisor=bank.advisor)
    submit(bank.hall, advisor=bank.account_manager)
    referral = submit(bank.hall, estimated_assets="500000")
    assert referral.advisor == bank.advisor2
    # Now all have one open referral: the lowest id wins the tie.
    assert submit(bank.hall, estimated_assets="500000").advisor == bank.advisor


def test_finished_referrals_do_not_count_as_load(bank):
    from referrals.services import transition
    done = submit(bank.hall, advisor=bank.advisor2)
    transition(referral_id=done.pk, action="contact", actor=bank.advisor2)
    transition(referral_id=done.pk, action="decline", actor=bank.advisor2, reason="无意向")
    submit(bank.hall, advisor=bank.advisor)
    submit(bank.hall, advisor=bank.account_manager)
    assert submit(bank.hall).advisor == bank.advisor2


def test_no_assets_routes_as_sub_branch(bank):
    assert submit(bank.hall, estimated_assets=None).advisor.org_unit in (bank.north_sub, bank.north_outlet)


def test_no_eligible_centre_advisor_goes_to_branch_manager_flagged(bank):
    bank.centre_advisor.is_active = False
    bank.centre_advisor.save()
    referral = submit(bank.hall, estimated_assets="200000000")
    assert referral.advisor == bank.north_manager
    assert referral.routed_to_manager


def test_no_eligible_sub_branch_advisor_goes_to_branch_manager_flagged(bank):
    south_hall_referral = submit(bank.south_hall, estimated_assets="100000")
    # sz01_adv is the south sub-branch's advisor.
    assert south_hall_referral.advisor == bank.south_advisor
    bank.south_advisor.is_active = False
    bank.south_advisor.save()
    referral = submit(bank.south_hall, estimated_assets="100000")
    assert referral.advisor == bank.south_manager and referral.routed_to_manager


def test_existing_client_without_advisor_is_routed_by_its_tier(bank):
    client = ClientFactory(org_unit=bank.north_sub, advisor=None, tier=Tier.BRANCH)
    assert submit(bank.hall, client_no=client.client_no, prospect_name="").advisor == bank.centre_advisor


def test_chosen_advisor_must_be_in_referrers_branch(bank):
    with pytest.raises(ValidationError) as exc:
        submit(bank.hall, advisor=bank.south_advisor)
    assert "advisor" in exc.value.message_dict


def test_chosen_staff_must_serve_clients(bank):
    with pytest.raises(ValidationError) as exc:
        submit(bank.hall, advisor=StaffFactory(role=Role.HALL_STAFF, org_unit=bank.north_outlet))
    assert "advisor" in exc.value.message_dict


@pytest.mark.parametrize("amount", ["-1", "abc", "1.234", "NaN"])
def test_bad_assets_are_rejected_naming_the_field(bank, amount):
    with pytest.raises(ValidationError) as exc:
        submit(bank.hall, estimated_assets=amount)
    assert "estimated_assets" in exc.value.message_dict


def test_missing_client_and_prospect_is_rejected(bank):
    with pytest.raises(ValidationError) as exc:
        submit(bank.hall, prospect_name="  ")
    assert "prospect_name" in exc.value.message_dict


def test_unknown_client_no_is_rejected(bank):
    with pytest.raises(ValidationError) as exc:
        submit(bank.hall, client_no="NOPE", prospect_name="")
    assert "client_no" in exc.value.message_dict


def test_bad_phone_is_rejected(bank):
    with pytest.raises(ValidationError) as exc:
        submit(bank.hall, prospect_phone="call me")
    assert "prospect_phone" in exc.value.message_dict


def test_phone_is_encrypted_with_blind_index(bank):
    from django.db import connection

    from wealthcrm.crypto import blind_index
    referral = submit(bank.hall, prospect_phone="138 1234 5678")
    with connection.cursor() as cursor:
        cursor.execute("SELECT prospect_phone FROM referrals_referral WHERE id = %s", [referral.pk])
        stored = cursor.fetchone()[0]
    assert "13812345678" not in stored
    assert referral.prospect_phone_hash == blind_index("13812345678")
    assert referral.prospect_phone_masked == "138****5678"


def test_channel_defaults_by_referrer(bank):
    corp = StaffFactory(role=Role.ACCOUNT_MANAGER, org_unit=bank.north)
    assert submit(corp).channel == AcquisitionChannel.CORPORATE_PRIVATE
    assert submit(bank.hall).channel == AcquisitionChannel.HALL
    assert submit(bank.advisor).channel == AcquisitionChannel.ALL_STAFF
    assert submit(bank.hall, channel=AcquisitionChannel.REMOTE).channel == AcquisitionChannel.REMOTE


def test_new_referral_starts_recommended_and_notifies_advisor(bank):
    referral = submit(bank.hall, advisor=bank.advisor)
    assert referral.status == ReferralStatus.RECOMMENDED
    assert bank.advisor.notifications.filter(kind="referral_assigned").count() == 1
    assert referral.events.get().kind == "submitted"
