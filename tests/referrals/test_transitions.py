"""The state machine: every legal and illegal action, who may act, and concurrent actions."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections

from clients.models import Contact
from referrals.choices import TRANSITIONS, ReferralAction, ReferralStatus
from referrals.models import Referral
from referrals.services import TransitionNotAllowed, transition
from tests.concurrency import run_at_once
from tests.factories import ClientFactory
from tests.referrals.factories import at, submit

pytestmark = pytest.mark.django_db

# The shortest path of actions (by the advisor) leading to each status.
PATHS = {
    ReferralStatus.RECOMMENDED: [],
    ReferralStatus.CONTACTED: ["contact"],
    ReferralStatus.SIGNED: ["contact", "sign"],
    ReferralStatus.CLOSED: ["contact", "sign", "close"],
    ReferralStatus.DECLINED: ["contact", "decline"],
}
PAYLOAD = {"decline": {"reason": "暂无需求"}, "contact": {"note": "已电话联系"}}


def _drive(referral, actor, actions):
    for action in actions:
        transition(referral_id=referral.pk, action=action, actor=actor, **PAYLOAD.get(action, {}))


def _payload(action, bank):
    if action == ReferralAction.REASSIGN:
        return {"advisor": bank.advisor2}
    return PAYLOAD.get(action, {})


@pytest.mark.parametrize("start", list(PATHS))
@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_every_action_from_every_status(bank, referral, start, action):
    _drive(referral, bank.advisor, PATHS[start])
    allowed_from, to_status = TRANSITIONS[action]
    actor = bank.north_manager  # may do every action, reassign included
    if start in allowed_from:
        result = transition(referral_id=referral.pk, action=action, actor=actor, **_payload(action, bank))
        assert result.status == (to_status or start)
        stored = Referral.objects.get(pk=referral.pk)
        assert stored.status == result.status
        assert stored.events.last().kind == action
    else:
        with pytest.raises(TransitionNotAllowed) as exc:
            transition(referral_id=referral.pk, action=action, actor=actor, **_payload(action, bank))
        assert exc.value.status == start
        assert Referral.objects.get(pk=referral.pk).status == start


def test_timestamps_follow_the_loop(bank, referral):
    transition(referral_id=referral.pk, action="contact", actor=bank.advisor, now=at(2025, 3, 4, 9))
    transition(referral_id=referral.pk, action="sign", actor=bank.advisor, now=at(2025, 3, 6, 9))
    r = transition(referral_id=referral.pk, action="close", actor=bank.advisor, now=at(2025, 3, 10, 9))
    assert (r.contacted_at, r.signed_at, r.closed_at) == (at(2025, 3, 4, 9), at(2025, 3, 6, 9), at(2025, 3, 10, 9))
    assert not r.sla_breached


def test_decline_needs_a_reason(bank, referral):
    transition(referral_id=referral.pk, action="contact", actor=bank.advisor)
    with pytest.raises(ValidationError):
        transition(referral_id=referral.pk, action="decline", actor=bank.advisor, reason=" ")
    r = transition(referral_id=referral.pk, action="decline", actor=bank.advisor, reason="客户资金已转他行")
    assert r.decline_reason == "客户资金已转他行" and r.declined_at


def test_late_contact_is_allowed_and_stays_breached(bank, referral):
    # due 2025-03-04 18:00; contacted on the 5th before the job ran.
    r = transition(referral_id=referral.pk, action="contact", actor=bank.advisor, now=at(2025, 3, 5, 10))
    assert r.status == ReferralStatus.CONTACTED and r.sla_breached


def test_contact_tells_the_referrer(bank, referral):
    transition(referral_id=referral.pk, action="contact", actor=bank.advisor, note="已约面谈")
    notice = bank.hall.notifications.get(kind="referral_followed_up")
    assert "3000000" not in notice.body  # no assets to the hall


def test_contact_on_existing_client_records_a_contact(bank):
    client = ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor)
    referral = submit(bank.hall, client_no=client.client_no, prospect_name="")
    transition(referral_id=referral.pk, action="contact", actor=bank.advisor, note="已约面谈",
               now=at(2025, 3, 3, 15))
    contact = Contact.objects.get(client=client)
    assert contact.staff == bank.advisor and "已约面谈" in contact.summary


@pytest.mark.parametrize("who", ["advisor2", "south_advisor", "south_manager", "hall", "south_hall",
                                 "account_manager"])
def test_only_assigned_advisor_or_managers_in_scope_may_act(bank, referral, who):
    with pytest.raises(Referral.DoesNotExist):
        transition(referral_id=referral.pk, action="contact", actor=getattr(bank, who))


@pytest.mark.parametrize("who", ["advisor", "north_manager", "north_sub_manager", "head_office", "admin"])
def test_assigned_advisor_and_managers_may_act(bank, referral, who):
    assert transition(referral_id=referral.pk, action="contact", actor=getattr(bank, who)).contacted_at


def test_manager_of_the_advisors_unit_may_act_on_a_referral_from_elsewhere(bank):
    # A south hall referral sent (by head office routing) to a north advisor: the north manager may act.
    referral = submit(bank.head_office, advisor=bank.advisor)
    assert transition(referral_id=referral.pk, action="contact", actor=bank.north_sub_manager).contacted_at


def test_advisor_may_not_reassign(bank, referral):
    with pytest.raises(PermissionDenied):
        transition(referral_id=referral.pk, action="reassign", actor=bank.advisor, advisor=bank.advisor2)


def test_reassign_restarts_the_clock(bank, referral):
    from referrals.services import check_sla
    check_sla(now=at(2025, 3, 5, 10))
    assert Referral.objects.get(pk=referral.pk).sla_breached
    r = transition(referral_id=referral.pk, action="reassign", actor=bank.north_manager, advisor=bank.advisor2,
                   now=at(2025, 3, 5, 10))
    assert r.advisor == bank.advisor2
    assert r.recommended_at == at(2025, 3, 5, 10) and r.sla_due_at == at(2025, 3, 6, 18)
    assert not r.sla_breached and r.breach_notified_at is None  # the new advisor's clock
    assert [b.advisor for b in r.breaches] == [bank.advisor]  # the first advisor's breach stays on record
    assert bank.advisor2.notifications.filter(kind="referral_assigned").exists()
    # the old advisor can no longer act
    with pytest.raises(Referral.DoesNotExist):
        transition(referral_id=referral.pk, action="contact", actor=bank.advisor)


def test_reassign_outside_the_branch_is_rejected(bank, referral):
    with pytest.raises(ValidationError) as exc:
        transition(referral_id=referral.pk, action="reassign", actor=bank.head_office, advisor=bank.south_advisor)
    assert "advisor" in exc.value.message_dict


def test_reassign_outside_the_managers_subtree_is_rejected(bank, referral):
    with pytest.raises(ValidationError):
        transition(referral_id=referral.pk, action="reassign", actor=bank.north_sub_manager,
                   advisor=bank.centre_advisor)


def _race(referral_id, calls):
    """Run each (action, actor, payload) in its own thread against PostgreSQL, all at once."""
    outcomes = run_at_once(*[lambda call=call: transition(referral_id=referral_id, action=call[0], actor=call[1],
                                                          **call[2]) for call in calls])
    close_old_connections()
    return ["ok" if isinstance(o, Referral) else ("conflict", o.status) if isinstance(o, TransitionNotAllowed)
            else o for o in outcomes]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_contacts_exactly_one_succeeds(bank, referral):
    outcomes = _race(referral.pk, [("contact", bank.advisor, {}), ("contact", bank.north_manager, {})])
    assert sorted(map(str, outcomes)) == sorted(["ok", str(("conflict", "contacted"))])
    assert Referral.objects.get(pk=referral.pk).events.filter(kind="contact").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_sign_and_decline_exactly_one_succeeds(bank, referral):
    transition(referral_id=referral.pk, action="contact", actor=bank.advisor)
    outcomes = _race(referral.pk, [("sign", bank.advisor, {}), ("decline", bank.north_manager, {"reason": "无意向"}),
                                   ("sign", bank.north_sub_manager, {})])
    assert outcomes.count("ok") == 1
    final = Referral.objects.get(pk=referral.pk).status
    assert final in (ReferralStatus.SIGNED, ReferralStatus.DECLINED)
    assert all(o == "ok" or o == ("conflict", final) for o in outcomes)
