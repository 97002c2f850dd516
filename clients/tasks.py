"""Celery tasks of the clients app: thin wrappers over the import job (``clients.imports``)."""

from celery import shared_task

from clients import imports
from wealthcrm.outbox import services as outbox
from wealthcrm.progress import task_progress


@shared_task(bind=True, acks_late=True)
def run_import(self, *, job_id: int) -> dict:
    """Run an ImportJob (idempotent: a finished job is left alone; a resumed one skips its committed rows)."""
    job = imports.run_import(job_id=job_id, on_progress=task_progress(self))
    return {"job_id": job.pk, "status": job.status}


@shared_task
def check_imports() -> dict:
    """Beat, every 2 minutes: send what waits in the outbox, then run again the imports whose worker died or
    whose message was lost."""
    sent = outbox.sweep()
    return {"sent": sent, "requeued": imports.requeue_stale_jobs()}
