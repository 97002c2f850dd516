"""Celery tasks of the clients app: thin wrappers over the import job (``clients.imports``)."""

import logging

from celery import shared_task
from django.db import transaction

from clients import imports
from clients.models import ImportJob
from wealthcrm.progress import task_progress

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True)
def run_import(self, *, job_id: int) -> dict:
    """Run an ImportJob (idempotent: a finished job is left alone; re-applying rows is an upsert)."""
    job = imports.run_import(job_id=job_id, on_progress=task_progress(self))
    return {"job_id": job.pk, "status": job.status}


def enqueue_import(job: ImportJob) -> None:
    """Hand the job to Celery once the row is committed (the worker must be able to read it)."""

    def send():
        try:
            run_import.delay(job_id=job.pk)
        except Exception:  # broker down: the job stays pending and can be re-queued; the upload is not lost
            logger.exception("import job %s could not be queued", job.pk)

    transaction.on_commit(send)
