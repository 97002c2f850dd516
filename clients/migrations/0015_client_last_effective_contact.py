from django.db import migrations, models

# The contact trigger of 0013 also keeps the last effective contact and the last satisfaction callback, which
# every callback rule reads (Client.objects.callback_due): a column per client instead of two subqueries into
# ten million contacts per client on every "my day". Contacts are only ever added, so a maximum stays right.
TRIGGER = """
CREATE OR REPLACE FUNCTION client_last_contact() RETURNS trigger AS $$
BEGIN
    UPDATE clients_client c
    SET last_contact_at = GREATEST(c.last_contact_at, n.latest),
        last_effective_contact_at = GREATEST(c.last_effective_contact_at, n.latest_effective),
        last_satisfaction_at = GREATEST(c.last_satisfaction_at, n.latest_satisfaction)
    FROM (SELECT client_id, max(occurred_at) AS latest,
                 max(occurred_at) FILTER (WHERE effective) AS latest_effective,
                 max(occurred_at) FILTER (WHERE effective AND purpose = 'callback_satisfaction') AS latest_satisfaction
          FROM new_contacts GROUP BY client_id) n
    WHERE c.id = n.client_id
      AND (n.latest > coalesce(c.last_contact_at, '-infinity')
           OR n.latest_effective > coalesce(c.last_effective_contact_at, '-infinity')
           OR n.latest_satisfaction > coalesce(c.last_satisfaction_at, '-infinity'));
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
UPDATE clients_client c SET last_effective_contact_at = n.latest_effective, last_satisfaction_at = n.latest_satisfaction
FROM (SELECT client_id, max(occurred_at) AS latest_effective,
             max(occurred_at) FILTER (WHERE purpose = 'callback_satisfaction') AS latest_satisfaction
      FROM clients_contact WHERE effective GROUP BY client_id) n
WHERE c.id = n.client_id;
"""

UNDO = """
CREATE OR REPLACE FUNCTION client_last_contact() RETURNS trigger AS $$
BEGIN
    UPDATE clients_client c SET last_contact_at = n.latest
    FROM (SELECT client_id, max(occurred_at) AS latest FROM new_contacts GROUP BY client_id) n
    WHERE c.id = n.client_id AND (c.last_contact_at IS NULL OR c.last_contact_at < n.latest);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""


class Migration(migrations.Migration):

    dependencies = [
        ("clients", "0014_product_sale_maturity"),
    ]

    operations = [
        migrations.AddField(
            model_name="client",
            name="last_effective_contact_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="上次有效接触"),
        ),
        migrations.AddField(
            model_name="client",
            name="last_satisfaction_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="上次满意度回访"),
        ),
        migrations.RunSQL(sql=TRIGGER, reverse_sql=UNDO),
    ]
