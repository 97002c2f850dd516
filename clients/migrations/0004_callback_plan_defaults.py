from django.db import migrations

# 总行级 monthly, 分行级 quarterly, 支行级 twice a year (PRODUCT.md "Contacts and callbacks").
DEFAULTS = {"head_office": 30, "branch": 90, "sub_branch": 180}


def add_defaults(apps, schema_editor):
    CallbackPlan = apps.get_model("clients", "CallbackPlan")
    for tier, days in DEFAULTS.items():
        CallbackPlan.objects.get_or_create(tier=tier, defaults={"interval_days": days})


class Migration(migrations.Migration):
    dependencies = [("clients", "0003_callback_plan")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
