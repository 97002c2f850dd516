from celery import shared_task

from referrals import services


@shared_task(name="referrals.tasks.check_sla", acks_late=True)
def check_sla() -> dict:
    """Every 15 minutes (django-celery-beat, data migration): reminders and breach escalation. Idempotent."""
    return services.check_sla()
