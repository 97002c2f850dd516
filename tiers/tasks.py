"""Celery tasks of the tiers app: thin wrappers over :mod:`tiers.services`."""

from datetime import date

from celery import shared_task
from django.utils import timezone

from tiers import services
from tiers.choices import ChangeReason
from wealthcrm.progress import task_progress


@shared_task(bind=True, acks_late=True)
def recompute_tiers_task(self, as_of: str | None = None, reason: str = ChangeReason.NIGHTLY) -> dict:
    """Nightly (01:00 Asia/Shanghai, beat) and on demand. Safe to retry: the service is idempotent and atomic."""
    day = date.fromisoformat(as_of) if as_of else timezone.localdate()
    run = services.recompute_tiers(as_of=day, reason=reason, progress=task_progress(self))
    return {"run": run.pk, "as_of": day.isoformat(), "rows_updated": run.rows_updated,
            "upgrades": run.upgrades, "downgrades": run.downgrades, "clients_total": run.clients_total}
