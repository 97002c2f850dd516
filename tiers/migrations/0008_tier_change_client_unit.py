from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("clients", "0014_product_sale_maturity"),
        ("org", "0003_security_tokens_and_trusted_addresses"),
        ("tiers", "0007_tier_count"),
    ]

    operations = [
        migrations.AddField(
            model_name="tierchange",
            name="client_unit",
            field=models.ForeignKey(db_constraint=False, editable=False, null=True,
                                    on_delete=models.deletion.DO_NOTHING, related_name="+", to="org.orgunit"),
        ),
    ]
