from celery import shared_task

from wealthcrm.outbox import services


@shared_task
def sweep_outbox() -> int:
    """Beat, every minute: send the work queued while the broker was down."""
    return services.sweep()
