"""Nightly KPI recompute: ``performance.services.recompute_scorecards`` for the current month (March 2026 in the
benchmark's clock) vs the same statements sent straight to PostgreSQL.

The floor is **the same SQL as ours** (PERFORMANCE.md "Honest figures"): every KPI is already one
``INSERT ... SELECT ... ON CONFLICT`` over all advisors, so the ratio measures only our overhead (Django,
the advisory lock, parameters from the calendar, targets and plans). Both start from a fresh copy of the same
prepared data with the month's AUM snapshots, referrals in every status, tier changes and complaints added.
"""

import json
import os
import subprocess
import sys
import time

from bench import db

NAME = "kpi_recompute"
PERIOD = "2026-03"
NOW = "2026-03-31T22:00:00+08:00"
RUN_DB = "wealthcrm_bench_kpi_run"


def settle(template: str) -> None:
    """What the KPIs read besides clients and contacts: last month's AUM, referrals, upgrades, complaints."""
    with db.connect(template) as conn, conn.cursor() as cur:
        cur.execute("SELECT setseed(0.317)")
        # the start of the month: a snapshot at the end of February for every client
        cur.execute("""INSERT INTO clients_aumsnapshot (client_id, as_of, aum)
                       SELECT id, date '2026-02-28', round(aum * (0.8 + random() * 0.4)::numeric, 2) FROM clients_client
                       ON CONFLICT DO NOTHING""")
        # one referral per 5 clients over March, in every status, followed up on time or late
        cur.execute("""
INSERT INTO referrals_referral (status, referrer_id, org_unit_id, advisor_id, routed_to_manager, channel, client_id,
  client_no, prospect_name, prospect_phone, prospect_phone_hash, note, recommended_at, sla_due_at, sla_breached,
  contacted_at, signed_at, declined_at, decline_reason, created_at, updated_at, contact_channel, reply)
SELECT (ARRAY['recommended','contacted','signed','closed','declined'])[1 + (c.id / 5) % 5], s.id, s.org_unit_id,
  c.advisor_id, false, 'hall', c.id, c.client_no, '', '', '', '', r.at, r.at + interval '1 day', false,
  CASE WHEN (c.id / 5) % 5 > 0 THEN r.at + (random() * interval '40 hours') END,
  CASE WHEN (c.id / 5) % 5 IN (2, 3) THEN r.at + interval '3 days' END,
  CASE WHEN (c.id / 5) % 5 = 4 THEN r.at + interval '3 days' END, '', r.at, r.at,
  CASE WHEN (c.id / 5) % 5 > 0 THEN 'phone' ELSE '' END, ''
FROM clients_client c
JOIN org_staff s ON s.id = 1 + (c.id * 7) % (SELECT max(id) FROM org_staff)
CROSS JOIN LATERAL (SELECT timestamptz '2026-03-01 09:00+08' + random() * interval '26 days' AS at) r
WHERE c.id % 5 = 0 AND c.advisor_id IS NOT NULL""")
        cur.execute("""
INSERT INTO referrals_referralassignment (referral_id, advisor_id, assigned_at, due_at, followed_up_at, breached_at)
SELECT r.id, r.advisor_id, r.recommended_at, r.sla_due_at, r.contacted_at,
  CASE WHEN r.contacted_at > r.sla_due_at THEN r.contacted_at END
FROM referrals_referral r
WHERE NOT EXISTS (SELECT 1 FROM referrals_referralassignment a WHERE a.referral_id = r.id)""")
        cur.execute("""INSERT INTO tiers_tierchange (client_id, from_tier, to_tier, direction, aum, effective_date, reason,
                                                     created_at)
                       SELECT id, 'sub_branch', 'branch', 'upgrade', aum, date '2026-03-01' + (id % 28)::int, 'nightly', now()
                       FROM clients_client WHERE id % 100 = 0""")
        cur.execute("""INSERT INTO performance_complaint (client_id, advisor_id, received_on, valid, note, created_at)
                       SELECT id, advisor_id, date '2026-03-01' + (id % 28)::int, (id % 3 = 0), '', now()
                       FROM clients_client WHERE id % 1000 = 0 AND advisor_id IS NOT NULL""")
        cur.execute("VACUUM (FREEZE, ANALYZE)")


def _fresh_copy(template: str) -> None:
    db.recreate(RUN_DB, template=template)
    with db.connect(RUN_DB) as conn, conn.cursor() as cur:  # warm the cache the same way for both sides
        cur.execute("SELECT count(*), sum(aum) FROM clients_client")
        cur.execute("SELECT count(*) FROM clients_contact")
        cur.execute("SELECT count(*) FROM clients_aumsnapshot")


def _child(mode: str) -> dict:
    env = {**os.environ, "DATABASE_URL": db.url_for(RUN_DB)}
    out = subprocess.run([sys.executable, "-m", "bench.worker", NAME, mode], env=env, check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(ctx) -> dict:
    template = ctx["template"]
    _fresh_copy(template)
    ours = _child("ours")
    _fresh_copy(template)
    floor = _child("floor")
    errors = 0 if ours["checksum"] == floor["checksum"] else 1
    db.drop(RUN_DB)
    return {"ours_s": ours["seconds"], "floor_s": floor["seconds"], "ratio": ours["seconds"] / floor["seconds"],
            "p95_ms": None, "peak_rss_mb": ours["peak_rss_mb"], "errors": errors,
            "detail": f"{ours['scorecards']} scorecards × 14 KPIs, {ours['echelons']} echelon rows; "
                      "floor = the same statements sent straight to PostgreSQL (ratio = our overhead)"}


def _checksum(cursor) -> tuple:
    cursor.execute("SELECT count(*), sum(value)::text FROM performance_kpivalue")
    values = cursor.fetchone()
    cursor.execute("SELECT count(*), sum(score)::text, sum(rank_in_bank) FROM performance_scorecard")
    cards = cursor.fetchone()
    cursor.execute("SELECT count(*), sum(echelon) FROM performance_echelonresult")
    return [*values, *cards, *cursor.fetchone()]


def measure_ours(mode: str) -> dict:
    """Runs in the child process (``bench.worker``): ``ours`` is the service exactly as the Celery task calls
    it; ``floor`` sends the same statements with psycopg2, parameters prepared before the clock starts."""
    from datetime import datetime

    import psycopg2
    from django.db import connection

    from performance import services

    period, now = services.Period.parse(PERIOD), datetime.fromisoformat(NOW)
    if mode == "ours":
        connection.ensure_connection()
        started = time.perf_counter()
        services.recompute_scorecards(period, now=now)
        seconds = time.perf_counter() - started
        with connection.cursor() as cursor:
            checksum = _checksum(cursor)
    else:
        params = services.statement_params(period, now=now)
        statements = services.period_statements(period, now=now)
        conn = psycopg2.connect(os.environ["DATABASE_URL"])
        with conn.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'UTC'")
            conn.commit()
            started = time.perf_counter()
            for sql in statements:
                cursor.execute(sql, params)
            conn.commit()
            seconds = time.perf_counter() - started
            checksum = _checksum(cursor)
        conn.close()
    return {"seconds": seconds, "checksum": checksum, "scorecards": checksum[2], "echelons": checksum[5]}
