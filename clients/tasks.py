"""Celery tasks of the clients app: thin wrappers over the import service."""

from celery import shared_task

from clients import imports


@shared_task(bind=True, acks_late=True)
def run_import(self, *, job_id: int) -> dict:
    """Run an ImportJob (idempotent: a finished job is left alone; re-applying rows is an upsert)."""

    def report(pct):
        if not self.request.is_eager:  # a synchronous run (tests, apply()) has no result backend to report to
            self.update_state(state="PROGRESS", meta={"progress": pct})

    job = imports.run_import(job_id=job_id, on_progress=report)
    return {"job_id": job.pk, "status": job.status}
