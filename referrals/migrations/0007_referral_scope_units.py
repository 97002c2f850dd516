from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("clients", "0014_product_sale_maturity"),
        ("org", "0003_security_tokens_and_trusted_addresses"),
        ("referrals", "0006_referral_client_source"),
    ]

    operations = [
        migrations.AddField(
            model_name="referral",
            name="advisor_unit",
            field=models.ForeignKey(db_constraint=False, db_index=False, editable=False, null=True,
                                    on_delete=models.deletion.DO_NOTHING, related_name="+", to="org.orgunit"),
        ),
        migrations.AddField(
            model_name="referral",
            name="client_unit",
            field=models.ForeignKey(db_constraint=False, db_index=False, editable=False, null=True,
                                    on_delete=models.deletion.DO_NOTHING, related_name="+", to="org.orgunit"),
        ),
    ]
