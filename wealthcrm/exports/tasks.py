"""Celery tasks of exports: thin wrappers over :mod:`wealthcrm.exports.services`."""

from celery import shared_task

from wealthcrm.exports import services
from wealthcrm.outbox import services as outbox
from wealthcrm.progress import task_progress


def enqueue_on_commit(task, **kwargs) -> None:
    """Hand a requested file job to a worker through the outbox: sent once the request commits (the worker must
    see the row), or by the outbox sweep when the broker was down — the job never stays pending for good."""
    outbox.enqueue(task.name, **kwargs)


def enqueue_export(job) -> None:
    enqueue_on_commit(build_export_task, job_id=job.pk)


@shared_task(bind=True, acks_late=True)
def build_export_task(self, *, job_id: int) -> dict:
    """Write one requested export. Safe to redeliver: finished jobs are skipped, others rebuilt from scratch."""
    job = services.build_export(job_id=job_id, on_progress=task_progress(self))
    return {"job_id": job.pk, "status": job.status, "rows": job.row_count}


@shared_task(acks_late=True)
def delete_expired_exports_task() -> dict:
    """Daily (beat): delete export files past their 90 days."""
    return {"expired": services.delete_expired_exports()}
