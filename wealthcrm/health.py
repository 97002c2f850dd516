"""Checks behind ``GET /health/``: each returns a dict with ``ok`` plus details (API.md "Health")."""

from django.conf import settings
from django.db import connection

from wealthcrm import localservices


def database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"ok": True}


def broker() -> dict:
    return {"ok": localservices.redis_answers(settings.REDIS_URL)}


def nightly_runs() -> dict:
    from django_celery_beat.models import PeriodicTask

    runs = {
        task.name: {
            "task": task.task,
            "enabled": task.enabled,
            "last_run_at": task.last_run_at.isoformat() if task.last_run_at else None,
        }
        for task in PeriodicTask.objects.exclude(name__startswith="celery.")
    }
    return {"ok": True, "tasks": runs}


# Later features append their checks (e.g. calendar coverage); each must be cheap and never raise.
CHECKS = {"broker": broker, "nightly_runs": nightly_runs}
