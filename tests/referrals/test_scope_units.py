"""A branch manager's referral scope reads the advisor's and the client's units copied onto the referral
(``advisor_unit``, ``client_unit``, kept by triggers): they must follow every change, or a manager would lose a
referral they must act on, or keep one they may no longer see."""

import pytest

from clients.models import Client
from referrals import services
from referrals.models import Referral
from tests.factories import ClientFactory, StaffFactory
from tests.referrals.factories import at, submit
from wealthcrm.org.choices import Role

pytestmark = pytest.mark.django_db


def units(referral):
    return Referral.objects.filter(pk=referral.pk).values_list("advisor_unit_id", "client_unit_id").get()


def visible(user):
    return set(Referral.objects.visible_to(user).values_list("pk", flat=True))


def test_units_are_set_on_submit(bank):
    client = ClientFactory(org_unit=bank.north_outlet, advisor=bank.account_manager)
    referral = submit(bank.hall, client=client, prospect_name="")
    prospect = submit(bank.hall, advisor=bank.advisor)
    assert units(referral) == (bank.north_outlet.pk, bank.north_outlet.pk)
    assert units(prospect) == (bank.north_sub.pk, None)


def test_reassignment_moves_the_advisor_unit_and_the_scope(bank):
    # the branch centre refers a prospect to a sub-branch advisor: the sub-branch's manager acts on it ...
    centre_colleague = StaffFactory(role=Role.ADVISOR, org_unit=bank.north)
    referral = submit(bank.centre_advisor, advisor=bank.advisor)
    assert referral.pk in visible(bank.north_sub_manager)
    # ... until the branch hands it to the centre
    services.transition(referral_id=referral.pk, action="reassign", actor=bank.north_manager,
                        advisor=centre_colleague.pk, now=at(2025, 3, 3, 11))
    assert units(referral)[0] == bank.north.pk
    assert referral.pk not in visible(bank.north_sub_manager)
    assert referral.pk in visible(bank.north_manager)


def test_an_advisor_transferred_takes_their_referrals_into_the_new_scope(bank):
    referral = submit(bank.south_hall, advisor=bank.south_advisor)
    assert referral.pk not in visible(bank.north_manager)
    bank.south_advisor.org_unit = bank.north_sub
    bank.south_advisor.save()
    assert units(referral)[0] == bank.north_sub.pk
    assert referral.pk in visible(bank.north_manager)


def test_a_client_moved_to_another_branch_moves_the_referring_side_scope(bank):
    """The referring side sees a referral of an existing client only while the client is in its scope."""
    client = ClientFactory(org_unit=bank.north_outlet, advisor=bank.account_manager)
    referral = submit(bank.south_hall, client=client, prospect_name="")
    assert referral.pk in visible(bank.north_manager)
    assert referral.pk not in visible(bank.south_manager)
    Client.objects.filter(pk=client.pk).update(org_unit=bank.south_sub)  # a bulk move
    assert units(referral)[1] == bank.south_sub.pk
    assert referral.pk in visible(bank.south_manager)
    client.refresh_from_db()
    client.org_unit = bank.north_outlet  # a move saved through the model
    client.save()
    assert units(referral)[1] == bank.north_outlet.pk
    assert referral.pk not in visible(bank.south_manager)
    assert referral.pk in visible(bank.north_manager)


def test_other_updates_leave_the_units_alone(bank):
    referral = submit(bank.hall, advisor=bank.advisor)
    stale = Referral.objects.get(pk=referral.pk)
    bank.advisor.org_unit = bank.north_outlet
    bank.advisor.save()
    # an instance loaded before the move saves its other fields without writing the old unit back
    stale.note = "已电话预约"
    stale.save(update_fields=["note"])
    assert units(referral)[0] == bank.north_outlet.pk
    # and a full save recomputes them from the advisor
    stale.save()
    assert units(referral)[0] == bank.north_outlet.pk
