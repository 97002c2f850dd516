"""The daily clean-up of report files past their 90 days, at 03:00 Asia/Shanghai (after the nightly jobs)."""

from django.db import migrations

from wealthcrm.beat import daily_task


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [daily_task(name="monthly report file cleanup", task="performance.reports.tasks.delete_expired_reports_task", hour=3, minute=0)]
