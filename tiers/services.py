"""Tier business operations: the nightly recompute and the tier policy.

Value segment (价值分群) — the definition used by :func:`recompute_tiers` and shown on the tier pages
---------------------------------------------------------------------------------------------------
Two yes/no measures per client, evaluated on the run's ``as_of`` date with the policy in force that day:

* **current value is high** (当前价值高) when our-bank AUM reaches the branch floor (分行级 or above), or the
  comprehensive contribution (综合贡献) is at least ``contribution_high`` (default 10万) — a smaller client who
  already brings in real income counts as valuable too.
* **potential value is high** (潜在价值高) when assets held elsewhere — investable financial assets minus our
  AUM (他行资产 = 可投资金融资产 − 我行金融资产) — are at least ``wallet_gap_min`` (default 100万), *and* there is a
  reason to believe we can win them: either most of the wallet is elsewhere (our share ≤ 50%), or the client is
  active with us (an effective contact, or a product sale, in the ``activity_days`` (default 90) days up to ``as_of``).
  The three thresholds are fields of the effective-dated ``TierPolicy`` (data, editable by head office).
  A client without an advisor-estimated investable amount has no known potential.

+------------------+-------------------+-------------------+
|                  | potential high    | potential low     |
+==================+===================+===================+
| current high     | B 培育期           | C 潜力             |
| current low      | A 成长期           | D 一般             |
+------------------+-------------------+-------------------+

As the source documents draw the quadrant (seed 001, 客户分类象限图; PRODUCT.md "Tiers"): A (成长期) little with us
yet, much to win — the priority to grow. B (培育期) valuable and rich elsewhere — bring the other banks' assets
over. C (潜力) value already with us, little activity — keep, serve at the counter, modest effort. D (一般) standard
service.
"""

import logging
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import Client, Contact, ProductSale
from tiers.choices import ChangeReason, RunStatus
from tiers.models import TierChange, TierCount, TierPolicy, TierRun
from wealthcrm.tiering import TIER_RANK

logger = logging.getLogger(__name__)

# Policy fields that carry over from the policy in force when a new one leaves them out (API: optional).
POLICY_THRESHOLDS = ("contribution_high", "wallet_gap_min", "activity_days", "risk_assessment_valid_days")
# One key for "the tier recompute" in PostgreSQL's advisory-lock space ("tiers" in ASCII).
RECOMPUTE_LOCK_KEY = 0x7469657273


def create_policy(*, actor, effective_from: date, head_office_floor: Decimal, branch_floor: Decimal,
                  near_threshold_margin: Decimal, **thresholds) -> TierPolicy:
    """Add a tier policy; it applies from the first recompute whose ``as_of`` is on or after ``effective_from``.

    ``thresholds``: ``contribution_high``, ``wallet_gap_min``, ``activity_days``, ``risk_assessment_valid_days``;
    one left out keeps the value of the policy in force on ``effective_from`` (the defaults when none is).
    Policies are never edited in place: the history of floors is what explains past tier changes.
    """
    previous = TierPolicy.objects.effective_on(effective_from)
    for name in POLICY_THRESHOLDS:
        if thresholds.get(name) is None and previous is not None:
            thresholds[name] = getattr(previous, name)
    policy = TierPolicy(effective_from=effective_from, head_office_floor=head_office_floor,
                        branch_floor=branch_floor, near_threshold_margin=near_threshold_margin, created_by=actor,
                        **{name: value for name, value in thresholds.items() if value is not None})
    if TierPolicy.objects.filter(effective_from=effective_from).exists():
        raise ValidationError({"effective_from": [_("该生效日期已有分层政策，请选择其他日期。")]})
    policy.full_clean(exclude=["created_by"], validate_unique=False)
    policy.save()
    return policy


def _tier_case(aum: str, head_office_floor: str, branch_floor: str) -> str:
    """SQL: the tier of ``aum`` under the floors (inclusive), as ``Tier`` values; mirrors ``TierPolicy.tier_for``."""
    return (f"CASE WHEN {aum} >= {head_office_floor} THEN 'head_office' WHEN {aum} >= {branch_floor} THEN 'branch' "
            f"ELSE 'sub_branch' END")


def _direction_case(old_tier: str, new_tier: str) -> str:
    """SQL: 'upgrade' when ``new_tier`` ranks above ``old_tier`` (``TIER_RANK``), else 'downgrade'."""
    order = "ARRAY[" + ", ".join(f"'{tier}'" for tier in sorted(TIER_RANK, key=TIER_RANK.get)) + "]"
    return (f"CASE WHEN array_position({order}, {new_tier}) > array_position({order}, {old_tier}) "
            f"THEN 'upgrade' ELSE 'downgrade' END")


def _recompute_sql() -> str:
    client, change = Client._meta.db_table, TierChange._meta.db_table
    contact, sale = Contact._meta.db_table, ProductSale._meta.db_table
    # One scan of the clients computes tier, near-threshold flag and value segment; only rows whose values
    # differ go into ``diff`` (small on an ordinary night), which feeds both the history insert and the update.
    # ``computed`` is referenced once, so PostgreSQL inlines it; ``diff`` is materialised once for both uses.
    # The segment is picked from an array by index so that each measure (with its EXISTS) is evaluated once.
    return f"""
WITH computed AS (
  SELECT c.id, c.aum, c.tier AS old_tier, c.near_threshold AS old_near, c.value_segment AS old_segment,
    {_tier_case("c.aum", "%(ho)s", "%(br)s")} AS new_tier,
    CASE WHEN c.aum >= %(ho)s THEN false WHEN c.aum >= %(br)s THEN c.aum >= %(ho_near)s
      ELSE c.aum >= %(br_near)s END AS new_near,
    (ARRAY['D', 'A', 'C', 'B'])[
      1 + 2 * (c.aum >= %(br)s OR COALESCE(c.contribution, 0) >= %(contribution_high)s)::int
        + (COALESCE(c.investable_assets, 0) - c.aum >= %(gap_min)s AND (
             c.aum * 2 <= c.investable_assets
             OR EXISTS (SELECT 1 FROM {contact} k WHERE k.client_id = c.id AND k.effective
                          AND k.occurred_at >= %(active_since)s AND k.occurred_at < %(active_until)s)
             OR EXISTS (SELECT 1 FROM {sale} s WHERE s.client_id = c.id
                          AND s.sold_on > %(sales_since)s AND s.sold_on <= %(as_of)s)))::int
    ] AS new_segment
  FROM {client} c
), diff AS MATERIALIZED (
  SELECT * FROM computed
  WHERE (old_tier, old_near, old_segment) IS DISTINCT FROM (new_tier, new_near, new_segment)
), ins AS (
  INSERT INTO {change} (client_id, from_tier, to_tier, direction, aum, effective_date, reason, run_id, created_at)
  SELECT id, old_tier, new_tier, {_direction_case("old_tier", "new_tier")}, aum, %(as_of)s, %(reason)s, %(run_id)s, now()
  FROM diff WHERE old_tier <> new_tier
  RETURNING direction
), upd AS (
  UPDATE {client} c SET tier = d.new_tier, near_threshold = d.new_near, value_segment = d.new_segment
  FROM diff d WHERE c.id = d.id
  RETURNING 1
)
SELECT (SELECT count(*) FROM upd),
       (SELECT count(*) FROM ins WHERE direction = 'upgrade'),
       (SELECT count(*) FROM ins WHERE direction = 'downgrade')
"""


def recompute_params(*, policy: TierPolicy, as_of: date, reason: str, run_id: int | None) -> dict:
    """The parameters of the recompute statement (shared with the benchmark so both run the same SQL)."""
    zone = timezone.get_default_timezone()
    until = datetime.combine(as_of + timedelta(days=1), time.min, tzinfo=zone)
    return {
        "ho": policy.head_office_floor, "br": policy.branch_floor,
        "ho_near": policy.near_floor(policy.head_office_floor), "br_near": policy.near_floor(policy.branch_floor),
        "contribution_high": policy.contribution_high, "gap_min": policy.wallet_gap_min,
        "active_since": until - timedelta(days=policy.activity_days), "active_until": until,
        "sales_since": as_of - timedelta(days=policy.activity_days), "as_of": as_of,
        "reason": reason, "run_id": run_id,
    }


def recompute_tiers(*, as_of: date, reason: str = ChangeReason.NIGHTLY, progress=None) -> TierRun:
    """Recompute every client's tier, near-threshold flag and value segment as of ``as_of``.

    Set-based: one statement updates only the rows whose values change and inserts a :class:`TierChange`
    for each tier change (``INSERT ... SELECT``); no Python loop over clients. Running it again on the same
    data changes nothing and records no new tier change.

    Everything happens in one transaction, so a worker killed half-way leaves the previous state and the
    retry starts from it. Concurrent runs are serialised with a transaction-scoped advisory lock: a second
    run *waits* (rather than skips) and then, seeing the first run's committed result, finds nothing left to
    change. Waiting was chosen over skipping so that a manual run queued right after a policy edit is never
    silently dropped because the nightly run happened to hold the lock.

    ``progress`` (optional callable taking 0–100) is called inside the transaction as the work advances.
    """
    policy = TierPolicy.objects.effective_on(as_of)
    if policy is None:
        raise ValidationError({"as_of": [_("%(day)s 没有生效的分层政策。") % {"day": as_of}]})
    report = progress or (lambda _n: None)
    started_at = timezone.now()
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RECOMPUTE_LOCK_KEY])
            report(5)
            run = TierRun.objects.create(as_of=as_of, reason=reason, status=RunStatus.DONE, policy=policy,
                                         started_at=started_at)
            with connection.cursor() as cursor:
                cursor.execute(_recompute_sql(),
                               recompute_params(policy=policy, as_of=as_of, reason=reason, run_id=run.pk))
                run.rows_updated, run.upgrades, run.downgrades = cursor.fetchone()
                report(80)
            run.clients_total = refresh_tier_counts()
            run.finished_at = timezone.now()
            run.save(update_fields=["rows_updated", "upgrades", "downgrades", "clients_total", "finished_at"])
            report(90)
    except Exception as exc:
        _record_failure(as_of=as_of, reason=reason, policy=policy, started_at=started_at, exc=exc)
        raise
    report(100)
    logger.info("tier recompute %s: %s clients, %s rows updated, %s up, %s down", as_of, run.clients_total,
                run.rows_updated, run.upgrades, run.downgrades)
    return run


TIER_COUNTS_SQL = """
WITH fresh AS (
  SELECT org_unit_id, tier, count(*) AS n, COALESCE(sum(aum), 0) AS aum FROM {client} GROUP BY org_unit_id, tier),
gone AS (DELETE FROM {counts} t WHERE NOT EXISTS (
  SELECT 1 FROM fresh f WHERE f.org_unit_id = t.org_unit_id AND f.tier = t.tier)),
kept AS (
  INSERT INTO {counts} (org_unit_id, tier, clients, aum, refreshed_at) SELECT org_unit_id, tier, n, aum, now() FROM fresh
  ON CONFLICT (org_unit_id, tier) DO UPDATE
  SET clients = EXCLUDED.clients, aum = EXCLUDED.aum, refreshed_at = EXCLUDED.refreshed_at)
SELECT COALESCE(sum(n), 0) FROM fresh"""


def refresh_tier_counts() -> int:
    """Rewrite :class:`TierCount` from the clients (one GROUP BY, a few hundred rows written); returns the number
    of clients counted. The recompute calls it in its transaction; the migration that made the table, once."""
    sql = TIER_COUNTS_SQL.format(client=Client._meta.db_table, counts=TierCount._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return int(cursor.fetchone()[0])


def _record_failure(*, as_of, reason, policy, started_at, exc) -> None:
    # The run's own transaction is gone; a separate record tells health and the page that last night failed.
    try:
        TierRun.objects.create(as_of=as_of, reason=reason, status=RunStatus.FAILED, policy=policy,
                               started_at=started_at, finished_at=timezone.now(), error=repr(exc)[:2000])
    except DatabaseError:
        logger.exception("could not record the failed tier run")


def backfill_history(*, reason: str = ChangeReason.BACKFILL) -> int:
    """Record tier changes between consecutive AUM snapshots, each under the policy in force on its date.

    For loading history (demo, first go-live): set-based, one ``INSERT ... SELECT`` with ``LAG`` over the
    snapshots. Clients that already have tier changes are left alone, so a second call adds nothing.
    Returns the number of changes recorded.
    """
    from clients.models import AumSnapshot

    snapshot, policy_table = AumSnapshot._meta.db_table, TierPolicy._meta.db_table
    change = TierChange._meta.db_table
    sql = f"""
WITH tiered AS (
  SELECT s.client_id, s.as_of, s.aum, {_tier_case("s.aum", "p.head_office_floor", "p.branch_floor")} AS tier
  FROM {snapshot} s
  CROSS JOIN LATERAL (SELECT head_office_floor, branch_floor FROM {policy_table}
                      WHERE effective_from <= s.as_of ORDER BY effective_from DESC LIMIT 1) p
  WHERE NOT EXISTS (SELECT 1 FROM {change} t WHERE t.client_id = s.client_id)
), stepped AS (
  SELECT *, lag(tier) OVER (PARTITION BY client_id ORDER BY as_of) AS prev_tier FROM tiered
)
INSERT INTO {change} (client_id, from_tier, to_tier, direction, aum, effective_date, reason, created_at)
SELECT client_id, prev_tier, tier, {_direction_case("prev_tier", "tier")}, aum, as_of, %(reason)s, now()
FROM stepped WHERE prev_tier IS NOT NULL AND prev_tier <> tier
"""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, {"reason": reason})
        return cursor.rowcount
