"""The daily clean-up of export files past their 90 days, at 03:10 Asia/Shanghai (after the reports' own)."""

from django.db import migrations

from wealthcrm.beat import daily_task


class Migration(migrations.Migration):
    dependencies = [
        ("exports", "0001_export_jobs"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [daily_task(name="export file cleanup", task="wealthcrm.exports.tasks.delete_expired_exports_task",
                             hour=3, minute=10)]
