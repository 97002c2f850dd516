"""Celery tasks of the monthly report: thin wrappers over :mod:`performance.reports.services`."""

from celery import shared_task

from performance.reports import services


@shared_task(bind=True, acks_late=True)
def build_monthly_report_task(self, *, report_id: int) -> dict:
    """Build one requested report. Safe to redeliver: the service skips finished reports and rebuilds from scratch."""

    def report(pct):
        if self.request.id and not self.request.is_eager:  # an eager run has no result backend to report to
            self.update_state(state="PROGRESS", meta={"progress": pct, "report_id": report_id})

    result = services.build_monthly_report(report_id=report_id, on_progress=report)
    return {"report_id": result.pk, "status": result.status, "rows": result.row_count}


@shared_task(acks_late=True)
def delete_expired_reports_task() -> dict:
    """Daily (beat): delete report files past their 90 days."""
    return {"expired": services.delete_expired_reports()}
