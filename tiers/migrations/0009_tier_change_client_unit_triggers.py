from django.db import migrations

# The client's current unit on each tier change (TierChange.client_unit), kept by the database so that every
# path that moves a client (the reassign service, an edit, a bulk move, an import) moves its history too.
TRIGGERS = """
CREATE FUNCTION tier_change_client_unit() RETURNS trigger AS $$
BEGIN
    NEW.client_unit_id := (SELECT org_unit_id FROM clients_client WHERE id = NEW.client_id);
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER tier_change_client_unit BEFORE INSERT OR UPDATE OF client_id ON tiers_tierchange
    FOR EACH ROW EXECUTE FUNCTION tier_change_client_unit();

CREATE FUNCTION tier_change_client_moved() RETURNS trigger AS $$
BEGIN
    UPDATE tiers_tierchange SET client_unit_id = NEW.org_unit_id WHERE client_id = NEW.id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER tier_change_client_moved AFTER UPDATE OF org_unit_id ON clients_client
    FOR EACH ROW WHEN (OLD.org_unit_id IS DISTINCT FROM NEW.org_unit_id) EXECUTE FUNCTION tier_change_client_moved();

UPDATE tiers_tierchange t SET client_unit_id = c.org_unit_id FROM clients_client c WHERE c.id = t.client_id;
"""

UNDO = """
DROP TRIGGER IF EXISTS tier_change_client_moved ON clients_client;
DROP FUNCTION IF EXISTS tier_change_client_moved();
DROP TRIGGER IF EXISTS tier_change_client_unit ON tiers_tierchange;
DROP FUNCTION IF EXISTS tier_change_client_unit();
"""


class Migration(migrations.Migration):
    # Its own migration (own transaction): the field migration's indexes are built before the backfill's UPDATE
    # leaves deferred foreign-key checks pending, which PostgreSQL refuses under CREATE INDEX.

    dependencies = [
        ("tiers", "0008_tier_change_client_unit"),
    ]

    operations = [
        migrations.RunSQL(sql=TRIGGERS, reverse_sql=UNDO),
    ]
