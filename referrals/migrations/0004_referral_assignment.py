"""Referral assignments: one row per advisor's turn with its own SLA clock, so that a breach stays on the advisor
who breached when a manager reassigns (issue 21). Existing referrals get one turn each from their current
fields; breaches erased by earlier reassignments cannot be told apart from the stored fields and stay erased."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

BACKFILL = """
INSERT INTO referrals_referralassignment (referral_id, advisor_id, assigned_at, due_at, followed_up_at, breached_at)
SELECT id, advisor_id, recommended_at, sla_due_at, contacted_at,
       CASE WHEN sla_breached THEN COALESCE(breach_notified_at, contacted_at, sla_due_at) END
FROM referrals_referral
"""


class Migration(migrations.Migration):

    dependencies = [
        ('referrals', '0003_referral_reply'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ReferralAssignment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('assigned_at', models.DateTimeField(verbose_name='分配时间')),
                ('due_at', models.DateTimeField(blank=True, null=True, verbose_name='跟进截止')),
                ('followed_up_at', models.DateTimeField(blank=True, null=True, verbose_name='跟进时间')),
                ('breached_at', models.DateTimeField(blank=True, null=True, verbose_name='超时记录时间')),
                ('ended_at', models.DateTimeField(blank=True, null=True, verbose_name='改派时间')),
                ('advisor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='referral_assignments', to=settings.AUTH_USER_MODEL, verbose_name='跟进顾问')),
                ('referral', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='assignments', to='referrals.referral')),
            ],
            options={
                'verbose_name': '推荐分配',
                'verbose_name_plural': '推荐分配',
                'ordering': ['assigned_at', 'id'],
                'indexes': [models.Index(fields=['referral', 'assigned_at'], name='referral_assignment_turns'),
                            models.Index(fields=['due_at'], name='referral_assignment_due')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('ended_at__isnull', True)), fields=('referral',), name='referral_one_current_assignment')],
            },
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
    ]
