"""The life of a file built in the background, shared by exports and the monthly report.

Requested (``pending``) → built by a worker (``running``, with progress) → ``done`` with the file renamed into
place only once complete, or ``failed`` with a message and no file: a half-written file is never offered.
Idempotent: a finished job is left alone, a job another worker is building (advisory lock) is skipped, and a
job whose worker died is rebuilt from scratch by the redelivered task. Files are deleted after ``RETENTION``.
"""

import logging
import os
from collections.abc import Callable
from datetime import datetime

from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

from wealthcrm.exports.choices import FileStatus
from wealthcrm.exports.models import RETENTION, FileJob

logger = logging.getLogger(__name__)

# write(job, path, progress) writes the whole file at ``path`` and returns its number of data rows.
Writer = Callable[[FileJob, str, Callable[[int], None]], int]


def build_file(model: type[FileJob], pk: int, *, lock_key: int, name: Callable[[FileJob], str], write: Writer,
               failure: str, on_progress: Callable[[int], None] | None = None) -> FileJob:
    """Build job ``pk``'s file under the storage name ``name(job)`` and mark it done — or failed with ``failure``."""
    job = model.objects.get(pk=pk)
    if job.status not in (FileStatus.PENDING, FileStatus.RUNNING, FileStatus.FAILED):
        return job
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [lock_key, job.pk])
        if not cursor.fetchone()[0]:
            return job
    try:
        _build(job, name(job), write, failure, on_progress)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [lock_key, job.pk])
    job.refresh_from_db()
    return job


def _build(job: FileJob, name: str, write: Writer, failure: str, on_progress) -> None:
    jobs = type(job).objects.filter(pk=job.pk)
    jobs.update(status=FileStatus.RUNNING, progress=0, error="", started_at=timezone.now())
    last = {"pct": 0}

    def progress(pct: int) -> None:
        pct = max(0, min(99, int(pct)))
        if pct != last["pct"]:
            last["pct"] = pct
            jobs.update(progress=pct)
            if on_progress:
                on_progress(pct)

    path = default_storage.path(name)
    partial = f"{path}.part"
    os.makedirs(os.path.dirname(path), exist_ok=True)
    try:
        rows = write(job, partial, progress)
        os.replace(partial, path)
    except Exception:
        logger.exception("%s %s failed", job._meta.label, job.pk)
        if os.path.exists(partial):
            os.remove(partial)
        jobs.update(status=FileStatus.FAILED, finished_at=timezone.now(), error=failure)
        return
    finished = timezone.now()
    jobs.update(status=FileStatus.DONE, progress=100, file=name, file_size=os.path.getsize(path), row_count=rows,
                finished_at=finished, expires_at=finished + RETENTION)
    if on_progress:
        on_progress(100)


def delete_expired(model: type[FileJob], *, now: datetime | None = None) -> int:
    """Delete the files of ``model``'s jobs past ``expires_at``; the records stay (``expired``). Returns the count."""
    now = now or timezone.now()
    expired = list(model.objects.filter(status=FileStatus.DONE, expires_at__lte=now).only("pk", "file"))
    for job in expired:
        if job.file:
            default_storage.delete(job.file.name)
    model.objects.filter(pk__in=[j.pk for j in expired]).update(status=FileStatus.EXPIRED, file="")
    return len(expired)
