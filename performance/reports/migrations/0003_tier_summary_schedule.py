"""The nightly refresh of the per-unit tier summary, at 01:30 Asia/Shanghai (after the 01:00 tier recompute)."""

from django.db import migrations

SCHEDULE_NAME = "tier summary refresh"
TASK = "performance.reports.tasks.refresh_tier_summary_task"


def forwards(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="1", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.update_or_create(
        name=SCHEDULE_NAME, defaults={"task": TASK, "crontab": crontab, "enabled": True, "kwargs": "{}"}
    )


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=SCHEDULE_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_cleanup_schedule"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
