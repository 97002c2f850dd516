"""Schedules as data: the one way a migration adds a Celery beat task, daily (Asia/Shanghai) or every few
minutes (django-celery-beat).

Schedules live in the database so operators can move them in the admin; a data migration gives the default.
"""

from django.db import migrations


def daily_task(*, name: str, task: str, hour: int, minute: int = 0) -> migrations.RunPython:
    """A migration operation scheduling ``task`` every day at ``hour:minute`` Asia/Shanghai (reversible)."""

    def forwards(apps, schema_editor):
        crontab, _ = apps.get_model("django_celery_beat", "CrontabSchedule").objects.get_or_create(
            minute=str(minute), hour=str(hour), day_of_week="*", day_of_month="*", month_of_year="*",
            timezone="Asia/Shanghai")
        apps.get_model("django_celery_beat", "PeriodicTask").objects.update_or_create(
            name=name, defaults={"task": task, "crontab": crontab, "enabled": True, "kwargs": "{}"})

    def backwards(apps, schema_editor):
        apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=name).delete()

    return migrations.RunPython(forwards, backwards)


def interval_task(*, name: str, task: str, minutes: int) -> migrations.RunPython:
    """A migration operation running ``task`` every ``minutes`` minutes (checks and sweeps; reversible)."""

    def forwards(apps, schema_editor):
        interval, _ = apps.get_model("django_celery_beat", "IntervalSchedule").objects.get_or_create(
            every=minutes, period="minutes")
        apps.get_model("django_celery_beat", "PeriodicTask").objects.update_or_create(
            name=name, defaults={"task": task, "interval": interval, "crontab": None, "enabled": True,
                                 "kwargs": "{}"})

    def backwards(apps, schema_editor):
        apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=name).delete()

    return migrations.RunPython(forwards, backwards)
