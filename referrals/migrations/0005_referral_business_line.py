"""公私联动 both ways: the business line a referral came from and its direction. Existing referrals: corporate
account managers' (channel 公私联动) came from 公司, the rest from 个金; all of them into private banking."""

from django.db import migrations, models

BACKFILL = "UPDATE referrals_referral SET business_line = 'corporate' WHERE channel = 'corporate_private'"


class Migration(migrations.Migration):

    dependencies = [
        ('referrals', '0004_referral_assignment'),
    ]

    operations = [
        migrations.AddField(
            model_name='referral',
            name='business_line',
            field=models.CharField(choices=[('corporate', '公司'), ('investment_banking', '投行'), ('small_business', '小企业'), ('bank_card', '银行卡'), ('retail', '个金'), ('institutional', '机构'), ('international', '国际'), ('private_banking', '私行'), ('other', '其他')], db_default='retail', default='retail', max_length=20, verbose_name='来源条线'),
        ),
        migrations.AddField(
            model_name='referral',
            name='direction',
            field=models.CharField(choices=[('corporate_to_private', '公司→私行'), ('private_to_corporate', '私行→公司')], db_default='corporate_to_private', default='corporate_to_private', max_length=24, verbose_name='联动方向'),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.AddConstraint(
            model_name='referral',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('business_line', 'private_banking'), ('direction', 'private_to_corporate')), models.Q(models.Q(('business_line', 'private_banking'), _negated=True), ('direction', 'corporate_to_private')), _connector='OR'), name='referral_direction_matches_line'),
        ),
    ]
