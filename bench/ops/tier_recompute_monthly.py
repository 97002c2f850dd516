"""Nightly tier recompute on the 月日均 basis with a downgrade grace (PRODUCT.md "Tier rule (basis and grace)"):
``tiers.services.recompute_tiers`` vs hand-written SQL for the same work.

The night timed is the first of a month (as_of 2026-04-01, basis March 2026): the one night of the month when the
basis moves. Both sides start from a fresh copy of the prepared data to which the same untimed steps are applied:
a policy from 2026-01-01 on the 月日均 basis with 6 months' grace, core banking's ``avg_daily_aum`` on half the
clients' March month-end rows (the other half is averaged from the snapshots, each balance carried forward), and
the previous month's run (as_of 2026-03-01, February's basis) so that tiers and months-below counters are settled.

Floors, the fastest counts: (A) a per-client formulation — for each client, one index range over its snapshots
from the last one on or before the month's first day — in two statements, history first, then the update of
changed rows; (B) the same in one statement with the changed rows materialised once; (C) the month's snapshots in
one range scan and one aggregate, the carried-in balance looked up per client only where the month does not start
with a snapshot, in one statement — the formulation ours uses, hand-written with the constants inlined, so against
(C) the ratio measures mostly our overhead (PERFORMANCE.md "Honest figures").
"""

import time

from bench import db
from bench.ops import tier_recompute

NAME = "tier_recompute_monthly"
AS_OF, MONTH_START, MONTH_NEXT = "2026-04-01", "2026-03-01", "2026-04-01"
SETTLE = {"day": "2026-03-01", "start": "2026-02-01", "next": "2026-03-01"}
GRACE = 6
RUN_DB = db.RUN

_POLICY = f"""INSERT INTO tiers_tierpolicy (effective_from, head_office_floor, branch_floor, near_threshold_margin,
    contribution_high, wallet_gap_min, activity_days, risk_assessment_valid_days, tier_basis, downgrade_grace_months,
    created_at)
  VALUES (date '2026-01-01', 100000000, 20000000, 0.10, 100000, 1000000, 90, 365, 'monthly_average', {GRACE}, now())"""
_FEED = """UPDATE clients_aumsnapshot SET avg_daily_aum = round(aum * 0.97, 2)
           WHERE as_of = date '2026-03-31' AND client_id % 2 = 0"""

_BASIS = """(SELECT COALESCE(
    (SELECT s.avg_daily_aum FROM clients_aumsnapshot s WHERE s.client_id = c.id AND s.as_of >= date '{start}'
       AND s.as_of < date '{next}' AND s.avg_daily_aum IS NOT NULL ORDER BY s.as_of DESC LIMIT 1),
    (SELECT trunc(sum(w.aum * (w.until - w.since)) / NULLIF(sum(w.until - w.since), 0), 2)
     FROM (SELECT s.aum, GREATEST(s.as_of, date '{start}') AS since,
             lead(GREATEST(s.as_of, date '{start}'), 1, date '{next}') OVER (ORDER BY s.as_of) AS until
           FROM clients_aumsnapshot s
           WHERE s.client_id = c.id AND s.as_of < date '{next}' AND s.as_of >= COALESCE(
             (SELECT max(p.as_of) FROM clients_aumsnapshot p WHERE p.client_id = c.id AND p.as_of <= date '{start}'),
             date '{start}')) w)))"""
_RANK = "array_position(ARRAY['sub_branch','branch','head_office'], {})"
_MONTHS = ("(extract(year FROM age(date '{next}', COALESCE(z.old_since, date '{start}'))) * 12"
           " + extract(month FROM age(date '{next}', COALESCE(z.old_since, date '{start}'))))::int")

_PER_CLIENT = f"clients_client c CROSS JOIN LATERAL (SELECT {_BASIS} AS basis) b"
# The month's snapshots in one range scan and one aggregate; the carried-in balance looked up per client.
_SET_BASED = """clients_client c
  LEFT JOIN (
    SELECT client_id, min(as_of) AS first_day, sum(aum * days_held) AS weighted,
      (array_agg(avg_daily_aum ORDER BY as_of DESC) FILTER (WHERE avg_daily_aum IS NOT NULL))[1] AS feed
    FROM (SELECT client_id, as_of, aum, avg_daily_aum,
            lead(as_of, 1, date '{next}') OVER (PARTITION BY client_id ORDER BY as_of) - as_of AS days_held
          FROM clients_aumsnapshot WHERE as_of >= date '{start}' AND as_of < date '{next}') r
    GROUP BY client_id) m ON m.client_id = c.id
  LEFT JOIN LATERAL (SELECT p.aum FROM clients_aumsnapshot p WHERE p.client_id = c.id AND p.as_of < date '{start}'
                     AND m.first_day IS DISTINCT FROM date '{start}' ORDER BY p.as_of DESC LIMIT 1) o ON true
  CROSS JOIN LATERAL (SELECT COALESCE(m.feed, trunc(
    (COALESCE(m.weighted, 0) + COALESCE(o.aum * (COALESCE(m.first_day, date '{next}') - date '{start}'), 0))
    / NULLIF(CASE WHEN o.aum IS NULL THEN date '{next}' - m.first_day ELSE date '{next}' - date '{start}' END, 0),
    2)) AS basis) b"""


def _computed(source: str) -> str:
    return f"""
  SELECT y.id, y.aum, y.basis, y.old_tier, y.old_near, y.old_segment, y.old_since, y.months_below,
    CASE WHEN y.held THEN y.old_tier ELSE y.target END AS new_tier,
    CASE WHEN y.held THEN COALESCE(y.old_since, date '{{start}}') END AS new_since,
    CASE CASE WHEN y.held THEN y.old_tier ELSE y.target END WHEN 'head_office' THEN false
      WHEN 'branch' THEN y.aum >= 90000000 AND y.aum < 100000000 ELSE y.aum >= 18000000 AND y.aum < 20000000 END
      AS new_near,
    (ARRAY['D', 'A', 'C', 'B'])[1 + 2 * (y.aum >= 20000000 OR COALESCE(y.contribution, 0) >= 100000)::int
      + (COALESCE(y.investable_assets, 0) - y.aum >= 1000000 AND (y.aum * 2 <= y.investable_assets
         OR EXISTS (SELECT 1 FROM clients_contact k WHERE k.client_id = y.id AND k.effective
                    AND k.occurred_at >= timestamptz '{{day}} 00:00+08' + interval '1 day' - interval '90 days'
                    AND k.occurred_at < timestamptz '{{day}} 00:00+08' + interval '1 day')
         OR EXISTS (SELECT 1 FROM clients_productsale s WHERE s.client_id = y.id
                    AND s.sold_on > date '{{day}}' - 90 AND s.sold_on <= date '{{day}}')))::int] AS new_segment
  FROM (
    SELECT z.*, CASE WHEN {_RANK.format('z.target')} < {_RANK.format('z.old_tier')} THEN {_MONTHS} END AS months_below,
      {_RANK.format('z.target')} < {_RANK.format('z.old_tier')} AND {_MONTHS} < {GRACE} AS held
    FROM (
      SELECT c.id, c.aum, c.contribution, c.investable_assets, c.tier AS old_tier, c.near_threshold AS old_near,
        c.value_segment AS old_segment, c.tier_below_since AS old_since, b.basis,
        CASE WHEN b.basis IS NULL THEN c.tier WHEN b.basis >= 100000000 THEN 'head_office'
             WHEN b.basis >= 20000000 THEN 'branch' ELSE 'sub_branch' END AS target
      FROM {source}
    ) z
  ) y"""


_DIRECTION = tier_recompute._DIRECTION
_CHANGED = ("(old_tier, old_near, old_segment, old_since) IS DISTINCT FROM (new_tier, new_near, new_segment, new_since)")
_HISTORY = f"""INSERT INTO tiers_tierchange (client_id, from_tier, to_tier, direction, aum, basis, basis_aum,
    months_below, effective_date, reason, created_at)
  SELECT id, old_tier, new_tier, {_DIRECTION}, aum, 'monthly_average', basis,
    CASE WHEN {_RANK.format('new_tier')} < {_RANK.format('old_tier')} THEN months_below ELSE 0 END,
    date '{{day}}', 'nightly', now()"""
_UPDATE = """UPDATE clients_client c SET tier = x.new_tier, near_threshold = x.new_near, value_segment = x.new_segment,
    tier_below_since = x.new_since"""



def _one_statement(source: str) -> list[str]:
    return [f"""
WITH diff AS MATERIALIZED (SELECT * FROM ({_computed(source)}) x WHERE {_CHANGED}),
ins AS ({_HISTORY} FROM diff WHERE old_tier <> new_tier)
{_UPDATE} FROM diff x WHERE c.id = x.id"""]


FLOOR_TWO_STATEMENTS = [
    f"{_HISTORY} FROM ({_computed(_PER_CLIENT)}) x WHERE old_tier <> new_tier",
    f"{_UPDATE} FROM ({_computed(_PER_CLIENT)}) x WHERE c.id = x.id AND {_CHANGED}",
]
FLOOR_ONE_STATEMENT = _one_statement(_PER_CLIENT)
FLOOR_SET_BASED = _one_statement(_SET_BASED)


def _prepared_copy(template: str) -> None:
    """A fresh copy with the policy, the feed's averages and last month's run: the same for every side."""
    tier_recompute._fresh_copy(template)
    with db.connect(RUN_DB) as conn, conn.cursor() as cur:
        cur.execute(_POLICY)
        cur.execute(_FEED)
        for sql in FLOOR_SET_BASED:
            cur.execute(sql.format(**SETTLE))
        cur.execute("VACUUM (ANALYZE) clients_client, clients_aumsnapshot, tiers_tierchange")
        cur.execute("SELECT count(*), sum(aum) FROM clients_client")


def _time_floor(template: str, statements: list[str]) -> tuple[float, int]:
    _prepared_copy(template)
    with db.connect(RUN_DB, autocommit=False) as conn, conn.cursor() as cur:
        started = time.perf_counter()
        for sql in statements:
            cur.execute(sql.format(day=AS_OF, start=MONTH_START, next=MONTH_NEXT))
        conn.commit()
        seconds = time.perf_counter() - started
        # the built history has changes dated the first of each month too: count this run's only
        cur.execute("SELECT count(*) FROM tiers_tierchange WHERE effective_date = %s AND basis = 'monthly_average'",
                    [AS_OF])
        return seconds, cur.fetchone()[0]


def _time_ours(template: str) -> dict:
    _prepared_copy(template)
    return tier_recompute.run_worker(NAME, AS_OF)


def run(ctx) -> dict:
    template = ctx["template"]
    ours = _time_ours(template)
    floors = {name: _time_floor(template, statements) for name, statements in (
        ("per client, two statements", FLOOR_TWO_STATEMENTS), ("per client, one statement", FLOOR_ONE_STATEMENT),
        ("set-based, one statement", FLOOR_SET_BASED))}
    db.drop(RUN_DB)
    return tier_recompute.result(ours, floors)


measure_ours = tier_recompute.measure_ours
