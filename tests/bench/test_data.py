"""The benchmark's data set is the app's data: personal data decrypts and is found by its blind index, every
status and role is there, and the bulk load puts back every index and key that the migrations made."""

import pytest
from django.conf import settings as django_settings

from bench import data, db
from wealthcrm import crypto

CLIENTS = 300


def _schema(name: str) -> list[str]:
    with db.connect(name) as conn, conn.cursor() as cur:
        cur.execute("""SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'
                       UNION ALL SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
                                        || condeferrable || condeferred || convalidated
                       FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1""")
        return [row[0] for row in cur.fetchall()]


@pytest.fixture
def bench_key(settings):
    """The data set is encrypted under the benchmark's own key (its server runs with it)."""
    settings.FIELD_ENCRYPTION_KEY = data.FIELD_KEY
    crypto._fernet.cache_clear()
    crypto._hash_key.cache_clear()
    yield
    crypto._fernet.cache_clear()
    crypto._hash_key.cache_clear()


@pytest.fixture
def built(bench_key):
    name = f"{django_settings.DATABASES['default']['NAME']}_bench"
    reference = f"{name}_schema"
    for database in (name, reference):
        db.recreate(database)
        db.migrate(database)
    with db.connect(name) as conn:
        counts = data.build(conn, clients=CLIENTS)
    yield name, reference, counts
    db.drop(name)
    db.drop(reference)


def test_data_set_as_the_app_stores_it(built):
    name, reference, counts = built
    assert _schema(name) == _schema(reference)
    assert counts["snapshots"] == CLIENTS * 24 and counts["contacts"] == CLIENTS * 10
    assert counts["referrals"] == CLIENTS // 5 and counts["audit_events"] >= CLIENTS * 2 - 12
    with db.connect(name) as conn, conn.cursor() as cur:
        for client_id in (1, CLIENTS // 2, CLIENTS):
            phone = data.phone_of(client_id)
            cur.execute("SELECT id, phone FROM clients_client WHERE phone_hash = %s", [crypto.blind_index(phone)])
            [(found, ciphertext)] = cur.fetchall()
            assert found == client_id and crypto.decrypt(ciphertext) == phone
        # every client's latest contact, as the trigger keeps it for contacts logged later
        cur.execute("""SELECT count(*) FROM clients_client c WHERE last_contact_at IS DISTINCT FROM
                       (SELECT max(occurred_at) FROM clients_contact WHERE client_id = c.id)""")
        assert cur.fetchone()[0] == 0
        cur.execute("""SELECT count(*) FROM clients_client c WHERE last_effective_contact_at IS DISTINCT FROM
                       (SELECT max(occurred_at) FROM clients_contact WHERE client_id = c.id AND effective)""")
        assert cur.fetchone()[0] == 0
        # the scope columns the triggers copy onto referrals and tier changes
        cur.execute("""SELECT count(*) FROM referrals_referral r JOIN org_staff s ON s.id = r.advisor_id
                       LEFT JOIN clients_client c ON c.id = r.client_id
                       WHERE r.advisor_unit_id IS DISTINCT FROM s.org_unit_id
                          OR r.client_unit_id IS DISTINCT FROM c.org_unit_id""")
        assert cur.fetchone()[0] == 0
        cur.execute("""SELECT count(*) FROM tiers_tierchange t JOIN clients_client c ON c.id = t.client_id
                       WHERE t.client_unit_id IS DISTINCT FROM c.org_unit_id""")
        assert cur.fetchone()[0] == 0
        cur.execute("SELECT DISTINCT status FROM referrals_referral")
        assert {row[0] for row in cur.fetchall()} == {"recommended", "contacted", "signed", "closed", "declined"}
        # SLA fields as the services write them: a breach is a contact after the deadline or none before it
        cur.execute("""SELECT count(*) FROM referrals_referral
                       WHERE (contacted_at IS NOT NULL AND sla_breached <> (contacted_at > sla_due_at))
                          OR (contacted_at IS NULL AND sla_breached AND sla_due_at >= now())""")
        assert cur.fetchone()[0] == 0
        cur.execute("SELECT DISTINCT role FROM org_staff")
        assert {row[0] for row in cur.fetchall()} == {"advisor", "account_manager", "hall_staff", "branch_manager",
                                                      "head_office"}
        # every client's tier is that of its latest snapshot, and the history ends there
        cur.execute("""SELECT count(*) FROM clients_client c JOIN clients_aumsnapshot s
                         ON s.client_id = c.id AND s.as_of = c.aum_as_of WHERE s.aum <> c.aum""")
        assert cur.fetchone()[0] == 0
