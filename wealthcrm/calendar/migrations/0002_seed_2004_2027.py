"""Seed 2004–2027: official arrangement where a maintained library has it, the rule-based fallback after."""

from django.db import migrations

FIRST_YEAR, LAST_YEAR = 2004, 2027


def seed(apps, schema_editor):
    from wealthcrm.calendar import seeding

    model = apps.get_model("calendar", "CalendarDay")
    seeding.seed_years(model, range(FIRST_YEAR, LAST_YEAR + 1), using=schema_editor.connection.alias)


def unseed(apps, schema_editor):
    model = apps.get_model("calendar", "CalendarDay")
    model.objects.using(schema_editor.connection.alias).exclude(source="manual").delete()


class Migration(migrations.Migration):

    dependencies = [("calendar", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
