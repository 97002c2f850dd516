"""The 15-minute SLA job: breaches escalate to the branch managers, reminders two hours before due."""

import pytest
from django.core import mail

from referrals.models import Referral
from referrals.services import check_sla, transition
from referrals.tasks import check_sla as check_sla_task
from tests.referrals.factories import at, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def emails():
    return mail.outbox


def test_breach_is_flagged_once_and_managers_are_told(bank, referral, django_capture_on_commit_callbacks, emails):
    for user in (bank.north_manager, bank.north_sub_manager, bank.south_manager):
        user.email = f"{user.username}@bank.test"
        user.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert check_sla(now=at(2025, 3, 4, 18, 1)) == {"reminded": 0, "breached": 1}
    stored = Referral.objects.get(pk=referral.pk)
    assert stored.sla_breached and stored.breach_notified_at == at(2025, 3, 4, 18, 1)
    # The advisor works in the north sub-branch: its manager and the north branch manager are told.
    assert bank.north_sub_manager.notifications.filter(kind="referral_breached").count() == 1
    assert bank.north_manager.notifications.filter(kind="referral_breached").count() == 1
    assert not bank.south_manager.notifications.exists()
    assert sorted(m.to[0] for m in emails) == ["bj01_mgr@bank.test", "bj_mgr@bank.test"]
    # Idempotent: running again changes nothing and notifies nobody.
    assert check_sla(now=at(2025, 3, 4, 18, 16)) == {"reminded": 0, "breached": 0}
    assert bank.north_manager.notifications.count() == 1


def test_not_yet_due_is_not_breached(bank, referral):
    assert check_sla(now=at(2025, 3, 4, 17, 59))["breached"] == 0
    assert not Referral.objects.get(pk=referral.pk).sla_breached


def test_contacted_in_time_is_never_breached(bank, referral):
    transition(referral_id=referral.pk, action="contact", actor=bank.advisor, now=at(2025, 3, 4, 17))
    assert check_sla(now=at(2025, 3, 6, 9))["breached"] == 0
    assert not Referral.objects.get(pk=referral.pk).sla_breached


def test_reminder_two_hours_before_due_once(bank, referral):
    assert check_sla(now=at(2025, 3, 4, 15, 59))["reminded"] == 0  # due 18:00: more than 2 hours left
    assert check_sla(now=at(2025, 3, 4, 16, 0))["reminded"] == 1
    assert check_sla(now=at(2025, 3, 4, 16, 15))["reminded"] == 0
    assert bank.advisor.notifications.filter(kind="referral_due_soon").count() == 1
    assert Referral.objects.get(pk=referral.pk).reminder_sent_at == at(2025, 3, 4, 16)


def test_breach_on_a_manager_routed_referral_does_not_notify_the_manager_twice(bank):
    bank.centre_advisor.is_active = False
    bank.centre_advisor.save()
    referral = submit(bank.hall, estimated_assets="200000000")
    assert referral.routed_to_manager
    check_sla(now=at(2025, 3, 5, 9))
    assert bank.north_manager.notifications.filter(kind="referral_breached").count() == 1


def test_many_breaches_in_constant_queries(bank, django_assert_max_num_queries):
    for _ in range(3):
        submit(bank.hall, advisor=bank.advisor)
    with django_assert_max_num_queries(12):
        assert check_sla(now=at(2025, 3, 5, 9))["breached"] == 3
    for _ in range(30):
        submit(bank.hall, advisor=bank.advisor2)
    with django_assert_max_num_queries(12):
        assert check_sla(now=at(2025, 3, 5, 9))["breached"] == 30


def test_task_wraps_the_service(bank, referral):
    # Runs with the real clock: the 2025 referral is long overdue.
    assert check_sla_task.apply().get() == {"reminded": 0, "breached": 1}


def test_beat_schedule_exists():
    from django_celery_beat.models import PeriodicTask
    task = PeriodicTask.objects.get(task="referrals.tasks.check_sla")
    assert task.enabled and task.interval.every == 15 and task.interval.period == "minutes"
