"""Checks behind ``GET /health/``: each returns a dict with ``ok`` plus details (API.md "Health").

The kernel imports no app: an app adds its own check with ``register`` from its ``AppConfig.ready``.
"""

from collections.abc import Callable

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


# Each check must be cheap; one that raises degrades health, it never takes the endpoint down.
CHECKS: dict[str, Callable[[], dict]] = {"broker": broker, "nightly_runs": nightly_runs, "calendar": calendar}


def register(name: str, check: Callable[[], dict]) -> None:
    """Add an app's check under ``name`` (the key in the ``/health/`` body)."""
    CHECKS[name] = check
