"""Nightly tier recompute: ``tiers.services.recompute_tiers`` vs the best hand-written SQL for the same work.

Both start from a fresh copy (``CREATE DATABASE ... TEMPLATE``) of the same prepared data: tiers settled as of
the previous night, then 10% of the clients' AUM moved, so the run updates tiers, flags and segments and
records tier changes like a real night.
"""

import json
import os
import subprocess
import sys
import time

from bench import db

NAME = "tier_recompute"
AS_OF = "2026-03-31"
RUN_DB = db.RUN

_COMPUTED = """
  SELECT c.id, c.aum, c.tier AS old_tier, c.near_threshold AS old_near, c.value_segment AS old_segment,
    CASE WHEN c.aum >= 100000000 THEN 'head_office' WHEN c.aum >= 20000000 THEN 'branch' ELSE 'sub_branch' END AS new_tier,
    CASE WHEN c.aum >= 100000000 THEN false WHEN c.aum >= 20000000 THEN c.aum >= 90000000 ELSE c.aum >= 18000000 END
      AS new_near,
    (ARRAY['D', 'A', 'C', 'B'])[1 + 2 * (c.aum >= 20000000 OR COALESCE(c.contribution, 0) >= 100000)::int
      + (COALESCE(c.investable_assets, 0) - c.aum >= 1000000 AND (c.aum * 2 <= c.investable_assets
         OR EXISTS (SELECT 1 FROM clients_contact k WHERE k.client_id = c.id AND k.effective
                    AND k.occurred_at >= timestamptz '{day} 00:00+08' + interval '1 day' - interval '90 days'
                    AND k.occurred_at < timestamptz '{day} 00:00+08' + interval '1 day')
         OR EXISTS (SELECT 1 FROM clients_productsale s WHERE s.client_id = c.id
                    AND s.sold_on > date '{day}' - 90 AND s.sold_on <= date '{day}')))::int] AS new_segment
  FROM clients_client c"""

_DIRECTION = """CASE WHEN array_position(ARRAY['sub_branch','branch','head_office'], new_tier)
                   > array_position(ARRAY['sub_branch','branch','head_office'], old_tier)
              THEN 'upgrade' ELSE 'downgrade' END"""

# Floor A: two plain statements, history first (it needs the old tiers), then the update of changed rows only.
FLOOR_TWO_STATEMENTS = [
    f"""INSERT INTO tiers_tierchange (client_id, from_tier, to_tier, direction, aum, basis_aum, effective_date, reason,
                                      created_at)
        SELECT id, old_tier, new_tier, {_DIRECTION}, aum, aum, date '{{day}}', 'nightly', now()
        FROM ({_COMPUTED}) x WHERE old_tier <> new_tier""",
    f"""UPDATE clients_client c SET tier = x.new_tier, near_threshold = x.new_near, value_segment = x.new_segment
        FROM ({_COMPUTED}) x
        WHERE c.id = x.id AND (x.old_tier, x.old_near, x.old_segment) IS DISTINCT FROM (x.new_tier, x.new_near, x.new_segment)""",
]
# Floor B: one statement, one scan, the changed rows materialised once for both writes.
FLOOR_ONE_STATEMENT = [f"""
WITH diff AS MATERIALIZED (SELECT * FROM ({_COMPUTED}) x
  WHERE (old_tier, old_near, old_segment) IS DISTINCT FROM (new_tier, new_near, new_segment)),
ins AS (INSERT INTO tiers_tierchange (client_id, from_tier, to_tier, direction, aum, basis_aum, effective_date, reason,
                                     created_at)
  SELECT id, old_tier, new_tier, {_DIRECTION}, aum, aum, date '{{day}}', 'nightly', now() FROM diff WHERE old_tier <> new_tier)
UPDATE clients_client c SET tier = d.new_tier, near_threshold = d.new_near, value_segment = d.new_segment
FROM diff d WHERE c.id = d.id"""]


def settle(template: str) -> None:
    """Make the prepared data look like the morning after a run, then move 10% of the AUM for tonight."""
    with db.connect(template) as conn, conn.cursor() as cur:
        for sql in FLOOR_ONE_STATEMENT:
            cur.execute(sql.format(day="2026-03-30"))
        cur.execute("DELETE FROM tiers_tierchange WHERE effective_date = '2026-03-30'")  # keep the built history
        cur.execute("SELECT setseed(0.2026)")
        cur.execute("UPDATE clients_client SET aum = round(aum * (0.5 + random() * 1.2)::numeric, 2) WHERE id % 10 = 0")
        cur.execute("VACUUM (FREEZE, ANALYZE)")


def _fresh_copy(template: str) -> None:
    db.recreate(RUN_DB, template=template)
    with db.connect(RUN_DB) as conn, conn.cursor() as cur:  # warm the cache the same way for both sides
        cur.execute("SELECT count(*), sum(aum) FROM clients_client")
        cur.execute("SELECT count(*) FROM clients_contact")


def _time_floor(template: str, statements: list[str]) -> tuple[float, int]:
    _fresh_copy(template)
    with db.connect(RUN_DB, autocommit=False) as conn, conn.cursor() as cur:
        started = time.perf_counter()
        for sql in statements:
            cur.execute(sql.format(day=AS_OF))
        conn.commit()
        seconds = time.perf_counter() - started
        cur.execute("SELECT count(*) FROM tiers_tierchange WHERE effective_date = %s", [AS_OF])  # not the history
        return seconds, cur.fetchone()[0]


def _time_ours(template: str) -> dict:
    _fresh_copy(template)
    return run_worker(NAME, AS_OF)


def run_worker(name: str, as_of: str) -> dict:
    """Our recompute on the run copy, timed in a child process (``bench.worker``: its own peak RSS)."""
    env = {**os.environ, "DATABASE_URL": db.url_for(RUN_DB)}
    out = subprocess.run([sys.executable, "-m", "bench.worker", name, as_of], env=env, check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(ctx) -> dict:
    template = ctx["template"]
    ours = _time_ours(template)
    floors = {"two statements": _time_floor(template, FLOOR_TWO_STATEMENTS),
              "one statement": _time_floor(template, FLOOR_ONE_STATEMENT)}
    db.drop(RUN_DB)
    return result(ours, floors)


def result(ours: dict, floors: dict[str, tuple[float, int]]) -> dict:
    """The row: ours against the fastest floor; an error when a floor recorded a different number of tier changes."""
    floor_s = min(seconds for seconds, _changes in floors.values())
    errors = 0 if all(changes == ours["tier_changes"] for _, changes in floors.values()) else 1
    timings = ", ".join(f"{name} {seconds:.2f}s" for name, (seconds, _changes) in floors.items())
    return {"ours_s": ours["seconds"], "floor_s": floor_s, "ratio": ours["seconds"] / floor_s, "p95_ms": None,
            "peak_rss_mb": ours["peak_rss_mb"], "errors": errors,
            "detail": f"{ours['tier_changes']} tier changes, {ours['rows_updated']} rows updated; floors: {timings}"}


def measure_ours(as_of: str) -> dict:
    """Runs in the child process (``bench.worker``): the service exactly as the Celery task calls it."""
    from datetime import date

    from django.db import connection

    from tiers.services import recompute_tiers

    connection.ensure_connection()  # the floor's connection is open before its clock starts too
    started = time.perf_counter()
    result = recompute_tiers(as_of=date.fromisoformat(as_of))
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "tier_changes": result.upgrades + result.downgrades,
            "rows_updated": result.rows_updated}
