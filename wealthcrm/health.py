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


def calendar() -> dict:
    from wealthcrm.calendar.services import coverage

    return coverage()  # ok is false while this year or next has only rule-based (fallback) data


def tier_recompute() -> dict:
    from tiers.selectors import last_run_health

    return last_run_health()  # ok is false when the last run failed or no run finished in 48 hours


# Later features append their checks (e.g. calendar coverage); each must be cheap and never raise.
CHECKS = {"broker": broker, "nightly_runs": nightly_runs, "calendar": calendar, "tier_recompute": tier_recompute}
