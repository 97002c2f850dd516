"""Celery tasks of exports: thin wrappers over :mod:`wealthcrm.exports.services`."""

import logging

from celery import shared_task
from django.db import transaction

from wealthcrm.exports import services
from wealthcrm.progress import task_progress

logger = logging.getLogger(__name__)


def enqueue_export(job) -> None:
    """Hand a requested export to a worker once the request is committed (the worker must see the row)."""

    def send():
        try:
            build_export_task.delay(job_id=job.pk)
        except Exception:  # broker down: the job stays pending and is visible as such; nothing is lost
            logger.exception("export %s could not be queued", job.pk)

    transaction.on_commit(send)


@shared_task(bind=True, acks_late=True)
def build_export_task(self, *, job_id: int) -> dict:
    """Write one requested export. Safe to redeliver: finished jobs are skipped, others rebuilt from scratch."""
    job = services.build_export(job_id=job_id, on_progress=task_progress(self))
    return {"job_id": job.pk, "status": job.status, "rows": job.row_count}


@shared_task(acks_late=True)
def delete_expired_exports_task() -> dict:
    """Daily (beat): delete export files past their 90 days."""
    return {"expired": services.delete_expired_exports()}
