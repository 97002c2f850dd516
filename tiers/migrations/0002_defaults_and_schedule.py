"""The default tier policy (PRODUCT.md: 1亿 / 2000万 / 10%) and the nightly recompute at 01:00 Asia/Shanghai."""

from decimal import Decimal

from django.db import migrations

SCHEDULE_NAME = "nightly tier recompute"
TASK = "tiers.tasks.recompute_tiers_task"


def forwards(apps, schema_editor):
    TierPolicy = apps.get_model("tiers", "TierPolicy")
    TierPolicy.objects.get_or_create(
        effective_from="2000-01-01",
        defaults={"head_office_floor": Decimal("100000000.00"), "branch_floor": Decimal("20000000.00"),
                  "near_threshold_margin": Decimal("0.10")},
    )
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="1", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.update_or_create(
        name=SCHEDULE_NAME, defaults={"task": TASK, "crontab": crontab, "enabled": True, "kwargs": "{}"}
    )


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=SCHEDULE_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tiers", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
