import django.db.models.deletion
from django.db import migrations, models


# Counted once from the clients as they stand, so that the pages read figures from the first day; every tier
# recompute rewrites them afterwards (tiers.services.refresh_tier_counts).
COUNT_CLIENTS = """
INSERT INTO tiers_tiercount (org_unit_id, tier, clients, aum, refreshed_at)
SELECT org_unit_id, tier, count(*), COALESCE(sum(aum), 0), now() FROM clients_client GROUP BY org_unit_id, tier"""


class Migration(migrations.Migration):

    dependencies = [
        ('clients', '0005_client_search_grams'),
        ('org', '0003_security_tokens_and_trusted_addresses'),
        ('tiers', '0006_tier_change_rule'),
    ]

    operations = [
        migrations.CreateModel(
            name='TierCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('tier', models.CharField(choices=[('head_office', '总行级'), ('branch', '分行级'), ('sub_branch', '支行级')], max_length=20, verbose_name='客户层级')),
                ('clients', models.PositiveIntegerField(default=0, verbose_name='客户数')),
                ('aum', models.DecimalField(decimal_places=2, default=0, max_digits=20, verbose_name='我行金融资产')),
                ('refreshed_at', models.DateTimeField(verbose_name='更新时间')),
                ('org_unit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tier_counts', to='org.orgunit', verbose_name='机构')),
            ],
            options={
                'verbose_name': '机构分层计数',
                'verbose_name_plural': '机构分层计数',
                'constraints': [models.UniqueConstraint(fields=('org_unit', 'tier'), name='tier_count_unique')],
            },
        ),
        migrations.RunSQL(COUNT_CLIENTS, migrations.RunSQL.noop),
    ]
