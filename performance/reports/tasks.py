"""Celery tasks of the monthly report: thin wrappers over :mod:`performance.reports.services`."""

from datetime import date

from celery import shared_task
from django.utils import timezone

from performance.reports import services, summary
from wealthcrm.exports.tasks import enqueue_on_commit


def enqueue_build(report) -> None:
    enqueue_on_commit(build_monthly_report_task, report_id=report.pk)


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


@shared_task(acks_late=True)
def refresh_tier_summary_task(month: str | None = None) -> dict:
    """Nightly at 01:30 Asia/Shanghai (beat), after the 01:00 tier recompute: the dashboards' and the monthly
    report's per-unit tier summary of this month follows tonight's tiers."""
    day = date.fromisoformat(month) if month else timezone.localdate()
    return {"rows": summary.refresh_tier_summary_after_recompute(month=day.replace(day=1))}


@shared_task(acks_late=True)
def refresh_dashboard_summaries_task() -> dict:
    """Nightly at 02:30 Asia/Shanghai (beat), after the tier recompute (a client's tier sets their callback plan):
    the dashboards' acquisition-channel and callback summaries."""
    return summary.refresh_dashboard_summaries()
