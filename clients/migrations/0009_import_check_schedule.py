"""The import check every 2 minutes: imports whose worker died (or whose message was lost) run again."""

from django.db import migrations

from wealthcrm.beat import interval_task


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0008_import_job_resume_and_preview"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [interval_task(name="import check", task="clients.tasks.check_imports", minutes=2)]
