"""The one progress callback of Celery tasks: what ``GET /api/v1/tasks/{id}/`` reads (API.md Conventions)."""

from collections.abc import Callable


def task_progress(task) -> Callable[[int], None]:
    """``report(percent)`` for a bound task: stores state PROGRESS with ``{"progress": percent}``.

    A synchronous run (tests, ``apply()``, a management command) has no result backend to report to: no-op.
    """

    def report(percent: int) -> None:
        if task.request.id and not task.request.is_eager:
            task.update_state(state="PROGRESS", meta={"progress": percent})

    return report
