"""The outbox sweep every minute: work queued while the broker was down is sent once it is back."""

from django.db import migrations

from wealthcrm.beat import interval_task


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [interval_task(name="outbox sweep", task="wealthcrm.outbox.tasks.sweep_outbox", minutes=1)]
