from django.db import migrations

# The advisor's and the client's current units on each referral (Referral.advisor_unit / client_unit), kept by
# the database so that no code path (a reassignment, a client moved to another outlet, an advisor transferred,
# a bulk load) can leave them stale.
TRIGGERS = """
CREATE FUNCTION referral_scope_units() RETURNS trigger AS $$
BEGIN
    NEW.advisor_unit_id := (SELECT org_unit_id FROM org_staff WHERE id = NEW.advisor_id);
    NEW.client_unit_id := (SELECT org_unit_id FROM clients_client WHERE id = NEW.client_id);
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER referral_scope_units BEFORE INSERT OR UPDATE OF advisor_id, client_id ON referrals_referral
    FOR EACH ROW EXECUTE FUNCTION referral_scope_units();

CREATE FUNCTION referral_advisor_moved() RETURNS trigger AS $$
BEGIN
    UPDATE referrals_referral SET advisor_unit_id = NEW.org_unit_id WHERE advisor_id = NEW.id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER referral_advisor_moved AFTER UPDATE OF org_unit_id ON org_staff
    FOR EACH ROW WHEN (OLD.org_unit_id IS DISTINCT FROM NEW.org_unit_id) EXECUTE FUNCTION referral_advisor_moved();

CREATE FUNCTION referral_client_moved() RETURNS trigger AS $$
BEGIN
    UPDATE referrals_referral SET client_unit_id = NEW.org_unit_id WHERE client_id = NEW.id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER referral_client_moved AFTER UPDATE OF org_unit_id ON clients_client
    FOR EACH ROW WHEN (OLD.org_unit_id IS DISTINCT FROM NEW.org_unit_id) EXECUTE FUNCTION referral_client_moved();

UPDATE referrals_referral r SET advisor_unit_id = s.org_unit_id FROM org_staff s WHERE s.id = r.advisor_id;
UPDATE referrals_referral r SET client_unit_id = c.org_unit_id FROM clients_client c WHERE c.id = r.client_id;
"""

UNDO = """
DROP TRIGGER IF EXISTS referral_client_moved ON clients_client;
DROP FUNCTION IF EXISTS referral_client_moved();
DROP TRIGGER IF EXISTS referral_advisor_moved ON org_staff;
DROP FUNCTION IF EXISTS referral_advisor_moved();
DROP TRIGGER IF EXISTS referral_scope_units ON referrals_referral;
DROP FUNCTION IF EXISTS referral_scope_units();
"""


class Migration(migrations.Migration):
    # Its own migration (own transaction): the field migration's indexes are built before the backfill's UPDATE
    # leaves deferred foreign-key checks pending, which PostgreSQL refuses under CREATE INDEX.

    dependencies = [
        ("referrals", "0007_referral_scope_units"),
    ]

    operations = [
        migrations.RunSQL(sql=TRIGGERS, reverse_sql=UNDO),
    ]
