"""How a referral's client record was linked: named when referred, or created/linked when a prospect signed."""

from django.db import migrations, models

BACKFILL = "UPDATE referrals_referral SET client_source = 'referred' WHERE client_id IS NOT NULL"


class Migration(migrations.Migration):

    dependencies = [
        ('referrals', '0005_referral_business_line'),
    ]

    operations = [
        migrations.AddField(
            model_name='referral',
            name='client_source',
            field=models.CharField(blank=True, choices=[('referred', '推荐时已是我行客户'), ('created', '签约时新建客户'), ('linked', '签约时关联已有客户')], db_default='', default='', max_length=10, verbose_name='客户来源'),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
    ]
