from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('clients', '0010_reassignment_and_next_action_index'),
        ('org', '0003_security_tokens_and_trusted_addresses'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='contact',
            name='contact_client_time',
        ),
        migrations.AddIndex(
            model_name='client',
            index=models.Index(condition=models.Q(('near_threshold', True)), fields=['-aum', '-id'], name='client_near_threshold_aum'),
        ),
        migrations.AddIndex(
            model_name='client',
            index=models.Index(fields=['-aum', '-id'], name='client_aum_id'),
        ),
        migrations.AddIndex(
            model_name='contact',
            index=models.Index(fields=['client', '-occurred_at', '-id'], name='contact_client_time_id'),
        ),
        migrations.AddIndex(
            model_name='contact',
            index=models.Index(fields=['-occurred_at', '-id'], name='contact_time_id'),
        ),
        migrations.AddIndex(
            model_name='contact',
            index=models.Index(condition=models.Q(('next_action_at__isnull', False)), fields=['client', 'next_action_at'], name='contact_client_next_action'),
        ),
    ]
