"""Default targets and weights (per role, from 2000-01), the complaint deduction, echelon targets per kind,
and the nightly scorecard recompute at 02:00 Asia/Shanghai (after the 01:00 tier recompute)."""

from decimal import Decimal

from django.db import migrations

from wealthcrm.beat import daily_task

SCHEDULE_NAME = "nightly scorecard recompute"
TASK = "performance.tasks.recompute_scorecards_task"
FROM = "2000-01-01"

# kpi: (monthly target, weight, cap) — weights sum to 100; complaints deduct instead (ScoreRule).
TARGETS = {
    "aum_growth": ("5000000", "15", "1.5"),
    "new_clients": ("3", "10", "1.5"),
    "tier_upgrades": ("1", "5", "2"),
    "effective_contacts": ("60", "10", "1.2"),
    "calls_per_business_day": ("20", "10", "1.2"),
    "coverage_rate": ("0.3", "10", "1.2"),
    "callback_compliance": ("0.9", "10", "1.1"),
    "referral_sla_rate": ("0.95", "5", "1.05"),
    "referral_conversion": ("0.3", "5", "1.5"),
    "referrals_made": ("2", "5", "1.5"),
    "product_allocation": ("3000000", "5", "1.5"),
    "product_coverage": ("0.3", "5", "1.2"),
    "fee_income": ("30000", "5", "1.5"),
}
COMPLAINT_DEDUCTION = Decimal("5")
# kind: (new clients a month, AUM net growth a month in 元)
ECHELON_TARGETS = {
    "branch": (30, Decimal("200000000.00")),
    "sub_branch": (10, Decimal("50000000.00")),
    "outlet": (3, Decimal("10000000.00")),
}


def forwards(apps, schema_editor):
    KpiTarget = apps.get_model("performance", "KpiTarget")
    for role in ("advisor", "account_manager"):
        for kpi, (target, weight, cap) in TARGETS.items():
            KpiTarget.objects.get_or_create(
                role=role, kpi=kpi, effective_from=FROM,
                defaults={"target": Decimal(target), "weight": Decimal(weight), "cap": Decimal(cap)})
    apps.get_model("performance", "ScoreRule").objects.get_or_create(
        effective_from=FROM, defaults={"complaint_deduction": COMPLAINT_DEDUCTION})
    EchelonTarget = apps.get_model("performance", "EchelonTarget")
    for kind, (clients, aum) in ECHELON_TARGETS.items():
        EchelonTarget.objects.get_or_create(
            kind=kind, org_unit=None, effective_from=FROM,
            defaults={"client_growth_target": clients, "aum_growth_target": aum})


class Migration(migrations.Migration):
    dependencies = [
        ("performance", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop),
                  daily_task(name=SCHEDULE_NAME, task=TASK, hour=2)]
