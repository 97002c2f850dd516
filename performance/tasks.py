"""Celery tasks of the performance app: thin wrappers over :mod:`performance.services`."""

from celery import shared_task
from django.utils import timezone

from performance import services


@shared_task(bind=True, acks_late=True)
def recompute_scorecards_task(self, period: str | None = None) -> dict:
    """Nightly (02:00 Asia/Shanghai, beat): the current month, and until the 5th the previous one too; on
    demand: the ``period`` given ("YYYY-MM"). Safe to retry: the service is idempotent and atomic."""
    if period:
        periods = [services.Period.parse(period)]
    else:
        periods = services.periods_to_recompute(timezone.localdate())

    def report(percent):
        if self.request.id and not self.request.is_eager:
            self.update_state(state="PROGRESS", meta={"progress": percent})

    return services.recompute_scorecards(periods, progress=report)
