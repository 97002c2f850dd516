"""The Celery wrappers (run eagerly) and the 90-day clean-up with its beat schedule."""

import datetime as dt
import os

import pytest
from django_celery_beat.models import PeriodicTask

from performance.reports.choices import ReportStatus
from performance.reports.models import MonthlyReport
from performance.reports.tasks import build_monthly_report_task, delete_expired_reports_task
from tests.reports.conftest import PAST

pytestmark = pytest.mark.django_db


def test_the_task_builds_the_report_from_primitive_arguments(book, bank):
    report = MonthlyReport.objects.create(month=PAST, format="xlsx", requested_by=bank.head_office)
    result = build_monthly_report_task.apply(kwargs={"report_id": report.pk}).get()
    report.refresh_from_db()
    assert result == {"report_id": report.pk, "status": "done", "rows": report.row_count}
    assert report.status == ReportStatus.DONE and os.path.exists(report.file.path)
    assert build_monthly_report_task.acks_late


def test_files_past_ninety_days_are_deleted_and_the_record_kept(book, build):
    old, recent = build(PAST, "csv"), build(PAST, "xlsx")
    assert old.expires_at - old.finished_at == dt.timedelta(days=90)
    MonthlyReport.objects.filter(pk=old.pk).update(expires_at=old.finished_at - dt.timedelta(seconds=1))
    path = old.file.path
    assert delete_expired_reports_task.apply().get() == {"expired": 1}
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.status == ReportStatus.EXPIRED and not old.file and not os.path.exists(path)
    assert recent.status == ReportStatus.DONE and os.path.exists(recent.file.path)
    assert delete_expired_reports_task.apply().get() == {"expired": 0}


def test_the_clean_up_is_scheduled_daily():
    schedule = PeriodicTask.objects.get(task="performance.reports.tasks.delete_expired_reports_task")
    assert schedule.enabled and schedule.crontab.hour == "3" and str(schedule.crontab.timezone) == "Asia/Shanghai"
