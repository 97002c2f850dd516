import datetime

import django.db.models.functions.comparison
from django.db import migrations, models

# One UPDATE per INSERT statement (transition table), not one per row: a 10M-row COPY of contacts costs one
# grouped update of the clients instead of ten million.
TRIGGER = """
CREATE FUNCTION client_last_contact() RETURNS trigger AS $$
BEGIN
    UPDATE clients_client c SET last_contact_at = n.latest
    FROM (SELECT client_id, max(occurred_at) AS latest FROM new_contacts GROUP BY client_id) n
    WHERE c.id = n.client_id AND (c.last_contact_at IS NULL OR c.last_contact_at < n.latest);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER client_last_contact AFTER INSERT ON clients_contact
    REFERENCING NEW TABLE AS new_contacts FOR EACH STATEMENT EXECUTE FUNCTION client_last_contact();
UPDATE clients_client c SET last_contact_at = n.latest
FROM (SELECT client_id, max(occurred_at) AS latest FROM clients_contact GROUP BY client_id) n
WHERE c.id = n.client_id;
"""

UNDO = """
DROP TRIGGER IF EXISTS client_last_contact ON clients_contact;
DROP FUNCTION IF EXISTS client_last_contact();
"""


class Migration(migrations.Migration):

    dependencies = [
        ("clients", "0012_callback_plan_overrides"),
    ]

    operations = [
        migrations.AddField(
            model_name="client",
            name="last_contact_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="最近接触"),
        ),
        migrations.AddIndex(
            model_name="client",
            index=models.Index(
                models.Case(models.When(then=models.Value(1), tier="sub_branch"),
                            models.When(then=models.Value(2), tier="branch"),
                            models.When(then=models.Value(3), tier="head_office"),
                            default=models.Value(0), output_field=models.IntegerField()),
                models.F("aum"), models.F("id"), name="client_tier_rank_aum_id"),
        ),
        migrations.AddIndex(
            model_name="client",
            index=models.Index(
                django.db.models.functions.comparison.Coalesce(
                    models.F("last_contact_at"), models.Value(datetime.datetime(1900, 1, 1, 0, 0, tzinfo=datetime.UTC)),
                    output_field=models.DateTimeField()),
                models.F("id"), name="client_last_contact_id"),
        ),
        migrations.RunSQL(sql=TRIGGER, reverse_sql=UNDO),
    ]
