"""The nightly refresh of the dashboards' channel and callback summaries, at 02:30 Asia/Shanghai (after the 01:00
tier recompute: a client's tier sets their callback plan)."""

from django.db import migrations

from wealthcrm.beat import daily_task


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0004_dashboard_summaries"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [daily_task(name="dashboard summaries refresh",
                             task="performance.reports.tasks.refresh_dashboard_summaries_task", hour=2, minute=30)]
