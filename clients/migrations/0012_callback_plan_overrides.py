import datetime
from decimal import Decimal

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

# The existing per-tier plans become the bank's defaults, in force from 2000 like the default tier policy,
# with 100万 within 7 days and a yearly satisfaction callback (PRODUCT.md "Contacts and callbacks").


class Migration(migrations.Migration):

    dependencies = [
        ('clients', '0011_client_aum_and_contact_time_indexes'),
        ('org', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='callbackplan',
            options={'ordering': ['org_unit', 'tier', '-effective_from'], 'verbose_name': '回访计划', 'verbose_name_plural': '回访计划'},
        ),
        migrations.AlterField(
            model_name='callbackplan',
            name='tier',
            field=models.CharField(choices=[('head_office', '总行级'), ('branch', '分行级'), ('sub_branch', '支行级')], max_length=20, verbose_name='客户层级'),
        ),
        migrations.AddField(
            model_name='callbackplan',
            name='org_unit',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='callback_plans', to='org.orgunit', verbose_name='机构（为空则为全行默认）'),
        ),
        migrations.AddField(
            model_name='callbackplan',
            name='effective_from',
            field=models.DateField(default=datetime.date(2000, 1, 1), verbose_name='生效日期'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='callbackplan',
            name='large_sale_threshold',
            field=models.DecimalField(decimal_places=2, default=Decimal('1000000.00'), max_digits=20, verbose_name='大额销售金额（元）'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='callbackplan',
            name='large_sale_days',
            field=models.PositiveSmallIntegerField(default=7, verbose_name='大额销售回访时限（天）'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='callbackplan',
            name='satisfaction_months',
            field=models.PositiveSmallIntegerField(default=12, verbose_name='满意度回访周期（月）'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='callbackplan',
            name='created_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='设置人'),
        ),
        migrations.AddField(
            model_name='callbackplan',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True, default=django.utils.timezone.now),
            preserve_default=False,
        ),
        migrations.AddConstraint(
            model_name='callbackplan',
            constraint=models.CheckConstraint(condition=models.Q(('large_sale_days__gt', 0), ('large_sale_threshold__gt', 0), ('satisfaction_months__gt', 0)), name='callback_plan_values_positive'),
        ),
        migrations.AddConstraint(
            model_name='callbackplan',
            constraint=models.UniqueConstraint(condition=models.Q(('org_unit__isnull', True)), fields=('tier', 'effective_from'), name='callback_plan_default_day'),
        ),
        migrations.AddConstraint(
            model_name='callbackplan',
            constraint=models.UniqueConstraint(condition=models.Q(('org_unit__isnull', False)), fields=('org_unit', 'tier', 'effective_from'), name='callback_plan_unit_day'),
        ),
    ]
