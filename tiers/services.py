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

Tier rule: basis and downgrade grace (PRODUCT.md "Tier rule (basis and grace)")
--------------------------------------------------------------------------------
The policy in force on ``as_of`` says what the floors are compared with (``TierPolicy.tier_basis``):

* **latest balance** (最新余额, the default): the client's current AUM, as before.
* **monthly average daily balance** (月日均) of the last full calendar month before ``as_of``'s month (dates are
  core-banking business dates, i.e. the Asia/Shanghai calendar; a run on 1–31 March uses February). Where a
  snapshot row of that month carries the core-banking feed's ``avg_daily_aum``, that figure is the basis (the
  latest such row of the month wins). Otherwise the average is computed from the snapshots: each balance holds
  from its day until the day before the next snapshot (or the month's end), so missing days carry the last balance
  forward, and the sum is divided by the days of the month (28, 29, 30 or 31). Days before the client's first
  snapshot in the month carry the last balance from before the month when there is one; a client with no
  snapshot before the month (new this month) is averaged over the days from their first snapshot on. A client with
  no snapshot on or before the month's last day has no basis: their tier is left as it is. The average is
  truncated to the fen, so it reaches a floor exactly when the unrounded average does.

The near-threshold flag and the value segment keep using the latest balance: they are today's working lists.

An upgrade takes effect at the run that sees the basis reach a higher floor. A downgrade waits for the policy's
``downgrade_grace_months`` (default 0: at once, as before): while the basis is below the floor of the client's
tier the tier is held and ``Client.tier_below_since`` remembers since when — the run's ``as_of`` on the latest
balance, the first day of the averaged month on 月日均 — and the client moves down (straight to the tier of the
basis) once the months from then to the run (to the end of the averaged month on 月日均) reach the grace. A run
whose basis is back at or above the floor clears the counter, so the months must be consecutive. The counter is
state written in the same statement, so running a night again changes nothing.

Each tier change records which rule moved it: the basis, the amount compared (``basis_aum``) and, for a downgrade
under a grace, the consecutive months below (``TierChange.rule`` reads e.g. "降级（连续 6 个月低于门槛） · 按上月月日均").
"""

import logging
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import AumSnapshot, Client, Contact, ProductSale
from tiers.choices import ChangeReason, RunStatus, TierBasis
from tiers.models import TierChange, TierCount, TierPolicy, TierRun
from wealthcrm.tiering import TIER_RANK

logger = logging.getLogger(__name__)

# Policy fields that carry over from the policy in force when a new one leaves them out (API: optional).
POLICY_THRESHOLDS = ("contribution_high", "wallet_gap_min", "activity_days", "risk_assessment_valid_days",
                     "tier_basis", "downgrade_grace_months")
# One key for "the tier recompute" in PostgreSQL's advisory-lock space ("tiers" in ASCII).
RECOMPUTE_LOCK_KEY = 0x7469657273


def create_policy(*, actor, effective_from: date, head_office_floor: Decimal, branch_floor: Decimal,
                  near_threshold_margin: Decimal, **thresholds) -> TierPolicy:
    """Add a tier policy; it applies from the first recompute whose ``as_of`` is on or after ``effective_from``.

    ``thresholds``: ``contribution_high``, ``wallet_gap_min``, ``activity_days``, ``risk_assessment_valid_days``,
    ``tier_basis``, ``downgrade_grace_months``; one left out keeps the value of the policy in force on
    ``effective_from`` (the defaults when none is).
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


def _rank(tier: str) -> str:
    """SQL: the rank of ``tier`` (``TIER_RANK``: 1 支行级 … 3 总行级)."""
    order = "ARRAY[" + ", ".join(f"'{tier}'" for tier in sorted(TIER_RANK, key=TIER_RANK.get)) + "]"
    return f"array_position({order}, {tier})"


def _direction_case(old_tier: str, new_tier: str) -> str:
    """SQL: 'upgrade' when ``new_tier`` ranks above ``old_tier`` (``TIER_RANK``), else 'downgrade'."""
    return f"CASE WHEN {_rank(new_tier)} > {_rank(old_tier)} THEN 'upgrade' ELSE 'downgrade' END"


def _monthly_average_sql() -> tuple[str, str, str]:
    """SQL pieces of the 月日均 basis: (CTEs, joins onto the clients ``c``, the basis expression).

    One range scan of the month's snapshots (``aum_snapshot_as_of``); each row's balance holds until the next
    snapshot (``lead``) or the month's end. The balance carried in from before the month is looked up per client
    on the (client, as_of) key, and only for clients without a snapshot on the month's first day.
    """
    snapshot = AumSnapshot._meta.db_table
    ctes = f"""
month_rows AS (
  SELECT s.client_id, s.as_of, s.aum, s.avg_daily_aum,
    lead(s.as_of, 1, %(month_next)s) OVER (PARTITION BY s.client_id ORDER BY s.as_of) - s.as_of AS days_held
  FROM {snapshot} s WHERE s.as_of >= %(month_start)s AND s.as_of < %(month_next)s
), month_sum AS (
  SELECT client_id, min(as_of) AS first_day, sum(aum * days_held) AS weighted,
    (array_agg(avg_daily_aum ORDER BY as_of DESC) FILTER (WHERE avg_daily_aum IS NOT NULL))[1] AS feed_average
  FROM month_rows GROUP BY client_id
),"""
    joins = f"""
  LEFT JOIN month_sum m ON m.client_id = c.id
  LEFT JOIN LATERAL (
    SELECT p.aum FROM {snapshot} p
    WHERE p.client_id = c.id AND p.as_of < %(month_start)s AND m.first_day IS DISTINCT FROM %(month_start)s
    ORDER BY p.as_of DESC LIMIT 1) o ON true"""
    basis = """COALESCE(m.feed_average, trunc(
      (COALESCE(m.weighted, 0) + COALESCE(o.aum * (COALESCE(m.first_day, %(month_next)s) - %(month_start)s), 0))
      / NULLIF(CASE WHEN o.aum IS NULL THEN %(month_next)s - m.first_day ELSE %(month_days)s END, 0), 2))"""
    return ctes, joins, basis


def _recompute_sql(basis: str = TierBasis.LATEST) -> str:
    client, change = Client._meta.db_table, TierChange._meta.db_table
    contact, sale = Contact._meta.db_table, ProductSale._meta.db_table
    ctes, joins, basis_aum = _monthly_average_sql() if basis == TierBasis.MONTHLY_AVERAGE else ("", "", "c.aum")
    # One scan of the clients computes tier, near-threshold flag and value segment; only rows whose values
    # differ go into ``diff`` (small on an ordinary night), which feeds both the history insert and the update.
    # The CTEs up to ``segmented`` are each referenced once, so PostgreSQL inlines them into that one scan; ``diff``
    # is materialised once for both uses. The segment is picked from an array by index so that each measure (with
    # its EXISTS) is evaluated once. ``held``: the basis is below the floor of the client's tier but the grace
    # keeps the tier; the months are only worked out for clients below their floor.
    age = "age(%(grace_reference)s::timestamp, COALESCE(r.old_below_since, %(grace_start)s)::timestamp)"
    months_below = f"(extract(year FROM {age}) * 12 + extract(month FROM {age}))::int"
    return f"""
WITH {ctes}
based AS (
  SELECT c.id, c.aum, c.contribution, c.investable_assets, c.tier AS old_tier, c.near_threshold AS old_near,
    c.value_segment AS old_segment, c.tier_below_since AS old_below_since, {basis_aum} AS basis_aum
  FROM {client} c{joins}
), ranked AS (
  SELECT b.*, CASE WHEN b.basis_aum IS NULL THEN b.old_tier
    ELSE {_tier_case("b.basis_aum", "%(ho)s", "%(br)s")} END AS target
  FROM based b
), measured AS (
  SELECT r.*, CASE WHEN {_rank("r.target")} < {_rank("r.old_tier")} THEN {months_below} END AS months_below
  FROM ranked r
), computed AS (
  SELECT x.*, CASE WHEN x.held THEN x.old_tier ELSE x.target END AS new_tier,
    CASE WHEN x.held THEN COALESCE(x.old_below_since, %(grace_start)s) END AS new_below_since
  FROM (SELECT g.*, %(grace)s > 0 AND g.months_below < %(grace)s AS held FROM measured g) x
), segmented AS (
  SELECT t.id, t.aum, t.basis_aum, t.old_tier, t.old_near, t.old_segment, t.old_below_since, t.new_tier,
    t.new_below_since, CASE WHEN %(grace)s > 0 THEN t.months_below ELSE 0 END AS months_below,
    CASE t.new_tier WHEN 'head_office' THEN false
      WHEN 'branch' THEN t.aum >= %(ho_near)s AND t.aum < %(ho)s
      ELSE t.aum >= %(br_near)s AND t.aum < %(br)s END AS new_near,
    (ARRAY['D', 'A', 'C', 'B'])[
      1 + 2 * (t.aum >= %(br)s OR COALESCE(t.contribution, 0) >= %(contribution_high)s)::int
        + (COALESCE(t.investable_assets, 0) - t.aum >= %(gap_min)s AND (
             t.aum * 2 <= t.investable_assets
             OR EXISTS (SELECT 1 FROM {contact} k WHERE k.client_id = t.id AND k.effective
                          AND k.occurred_at >= %(active_since)s AND k.occurred_at < %(active_until)s)
             OR EXISTS (SELECT 1 FROM {sale} s WHERE s.client_id = t.id
                          AND s.sold_on > %(sales_since)s AND s.sold_on <= %(as_of)s)))::int
    ] AS new_segment
  FROM computed t
), diff AS MATERIALIZED (
  SELECT * FROM segmented
  WHERE (old_tier, old_near, old_segment, old_below_since)
        IS DISTINCT FROM (new_tier, new_near, new_segment, new_below_since)
), ins AS (
  INSERT INTO {change} (client_id, from_tier, to_tier, direction, aum, basis, basis_aum, months_below,
                        effective_date, reason, run_id, created_at)
  SELECT id, old_tier, new_tier, {_direction_case("old_tier", "new_tier")}, aum, %(basis)s, basis_aum,
    CASE WHEN {_rank("new_tier")} < {_rank("old_tier")} THEN months_below ELSE 0 END,
    %(as_of)s, %(reason)s, %(run_id)s, now()
  FROM diff WHERE old_tier <> new_tier
  RETURNING direction
), upd AS (
  UPDATE {client} c SET tier = d.new_tier, near_threshold = d.new_near, value_segment = d.new_segment,
    tier_below_since = d.new_below_since
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
    # The last full calendar month before as_of's month (月日均 basis) and where the months below a floor
    # are counted from and to (module docstring).
    month_next = as_of.replace(day=1)
    month_start = (month_next - timedelta(days=1)).replace(day=1)
    monthly = policy.tier_basis == TierBasis.MONTHLY_AVERAGE
    return {
        "ho": policy.head_office_floor, "br": policy.branch_floor,
        "ho_near": policy.near_floor(policy.head_office_floor), "br_near": policy.near_floor(policy.branch_floor),
        "contribution_high": policy.contribution_high, "gap_min": policy.wallet_gap_min,
        "active_since": until - timedelta(days=policy.activity_days), "active_until": until,
        "sales_since": as_of - timedelta(days=policy.activity_days), "as_of": as_of,
        "basis": policy.tier_basis, "month_start": month_start, "month_next": month_next,
        "month_days": (month_next - month_start).days, "grace": policy.downgrade_grace_months,
        "grace_start": month_start if monthly else as_of, "grace_reference": month_next if monthly else as_of,
        "reason": reason, "run_id": run_id,
    }


def recompute_tiers(*, as_of: date, reason: str = ChangeReason.NIGHTLY, progress=None) -> TierRun:
    """Recompute every client's tier, near-threshold flag and value segment as of ``as_of``, under the policy in
    force that day (its basis and downgrade grace: module docstring).

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
                cursor.execute(_recompute_sql(policy.tier_basis),
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
INSERT INTO {change} (client_id, from_tier, to_tier, direction, aum, basis_aum, effective_date, reason, created_at)
SELECT client_id, prev_tier, tier, {_direction_case("prev_tier", "tier")}, aum, aum, as_of, %(reason)s, now()
FROM stepped WHERE prev_tier IS NOT NULL AND prev_tier <> tier
"""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, {"reason": reason})
        return cursor.rowcount
