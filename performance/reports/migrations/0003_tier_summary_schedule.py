"""The nightly refresh of the per-unit tier summary, at 01:30 Asia/Shanghai (after the 01:00 tier recompute)."""

from django.db import migrations

from wealthcrm.beat import daily_task


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_cleanup_schedule"),
    ]

    operations = [daily_task(name="tier summary refresh", task="performance.reports.tasks.refresh_tier_summary_task", hour=1, minute=30)]
