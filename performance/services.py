"""Performance business rules: the KPI computations, the composite score, ranks and echelons (五梯队).

Every KPI is one set-based statement for all advisors of a period (``INSERT ... SELECT ... ON CONFLICT``);
nothing loops over clients in Python. A period is a calendar month in Asia/Shanghai, stored as its first day.

Who gets the credit (PRODUCT.md "Performance"):
- a client counts for the advisor who manages them at the end of the period. The client table keeps only the
  *current* advisor (there is no advisor history), so every period uses the current advisor: exact for the
  current month and for the previous one recomputed in the first days of the next month; a client moved
  since a past month end counts for the new advisor if that month is recomputed later.
- a contact counts for the staff member who made it, a sale for its selling advisor (else the client's advisor);
- a signed referral counts for both the referrer and the advisor (一份业绩两份计算).
"""

import calendar as month_calendar
import datetime as dt
import logging
import re
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.choices import ContactPurpose, ProductCategory
from clients.models import AumSnapshot, CallbackPlan, Client, Contact, ProductSale
from performance.choices import CATALOGUE, ECHELON_KINDS, ECHELONS, Card, KpiCode
from performance.models import (
    SCORED_ROLES,
    AnalysisMeeting,
    Complaint,
    EchelonResult,
    EchelonTarget,
    KpiTarget,
    KpiValue,
    Scorecard,
    ScoreRule,
)
from referrals.choices import ClientSource
from referrals.models import Referral, ReferralAssignment
from tiers.choices import Direction
from tiers.models import TierChange
from wealthcrm.calendar import services as business_calendar
from wealthcrm.org.models import OrgUnit, Staff
from wealthcrm.org.scope import sees_everything

logger = logging.getLogger(__name__)

# One key for "the scorecard recompute" in PostgreSQL's advisory-lock space ("perf" in ASCII).
RECOMPUTE_LOCK_KEY = 0x70657266
ZONE = "Asia/Shanghai"


# --- periods -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    """A calendar month in Asia/Shanghai: dates, the instants bounding it, and how much of it has passed."""

    start: dt.date

    @classmethod
    def of(cls, day: dt.date) -> "Period":
        return cls(day.replace(day=1))

    @classmethod
    def parse(cls, text: str, *, field: str = "period") -> "Period":
        """``"2026-11"`` → the period; anything else is a ``ValidationError`` naming ``field``."""
        match = re.fullmatch(r"(\d{4})-(\d{2})", str(text or "").strip(), flags=re.ASCII)
        try:
            if not match:
                raise ValueError
            return cls(dt.date(int(match[1]), int(match[2]), 1))
        except ValueError:
            raise ValidationError({field: [_("请按 YYYY-MM 填写考核月份，例如 2026-11。")]}) from None

    def __str__(self):
        return f"{self.start:%Y-%m}"

    @property
    def end(self) -> dt.date:
        return self.start.replace(day=month_calendar.monthrange(self.start.year, self.start.month)[1])

    @property
    def next(self) -> "Period":
        return Period(self.end + dt.timedelta(days=1))

    @property
    def previous(self) -> "Period":
        return Period.of(self.start - dt.timedelta(days=1))

    @property
    def start_at(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time.min, tzinfo=timezone.get_default_timezone())

    @property
    def end_at(self) -> dt.datetime:
        """The first instant after the period (exclusive bound)."""
        return self.next.start_at

    def last_day_so_far(self, today: dt.date) -> dt.date:
        return min(self.end, today)

    def is_current(self, today: dt.date) -> bool:
        return self.start <= today <= self.end


def periods_to_recompute(today: dt.date) -> list[Period]:
    """The nightly job's months: the current one, and until the 5th also the previous one (late data)."""
    current = Period.of(today)
    return [current.previous, current] if today.day <= 5 else [current]


# --- the KPI statements --------------------------------------------------------------------------------------

T = {
    "client": Client._meta.db_table, "snapshot": AumSnapshot._meta.db_table, "contact": Contact._meta.db_table,
    "sale": ProductSale._meta.db_table, "plan": CallbackPlan._meta.db_table, "referral": Referral._meta.db_table,
    "assignment": ReferralAssignment._meta.db_table,
    "change": TierChange._meta.db_table, "complaint": Complaint._meta.db_table, "staff": Staff._meta.db_table,
    "unit": OrgUnit._meta.db_table, "value": KpiValue._meta.db_table, "scorecard": Scorecard._meta.db_table,
    "target": KpiTarget._meta.db_table, "echelon": EchelonResult._meta.db_table,
    "echelon_target": EchelonTarget._meta.db_table,
}
# Per client of the period: the advisor and unit, AUM at the start and end, and whether the client is new.
# Built once per run (a temporary table) and read by ``aum_growth``, ``new_clients`` and the echelons.
BOOK = "perf_client_month"


def _book_sql(current: bool) -> str:
    # The current month ends at today's AUM (clients.aum is kept at the latest snapshot); a past month at the
    # last snapshot on or before its end. The start is the last snapshot before the period (none: 0, new money).
    end_aum = "c.aum" if current else (
        f"COALESCE((SELECT s.aum FROM {T['snapshot']} s WHERE s.client_id = c.id AND s.as_of <= %(end)s "
        "ORDER BY s.as_of DESC LIMIT 1), 0)")
    return f"""
CREATE TEMP TABLE {BOOK} ON COMMIT DROP AS
SELECT c.id, c.advisor_id, c.org_unit_id,
  COALESCE((SELECT s.aum FROM {T['snapshot']} s WHERE s.client_id = c.id AND s.as_of < %(start)s
            ORDER BY s.as_of DESC LIMIT 1), 0) AS start_aum,
  {end_aum} AS end_aum,
  (c.created_at >= %(start_at)s AND c.created_at < %(end_at)s) AS is_new
FROM {T['client']} c WHERE c.created_at < %(end_at)s
"""


SATISFACTION = ContactPurpose.CALLBACK_SATISFACTION.value
LARGE_SALE = ContactPurpose.CALLBACK_LARGE_SALE.value

# Each entry: SELECT advisor_id, value — only advisors with something to count; the insert fills zeros.
KPI_SQL = {
    KpiCode.AUM_GROWTH: f"""
SELECT advisor_id, SUM(end_aum - start_aum) FROM {BOOK} WHERE advisor_id IS NOT NULL GROUP BY advisor_id""",
    # Onboarded in the period (a prospect signed under a new number is created then), or a prospect signed in
    # the period and linked to a client record that already existed, for the referral's advisor — or, signed
    # before signing linked clients, to none.
    KpiCode.NEW_CLIENTS: f"""
SELECT advisor_id, count(*) FROM (
  SELECT advisor_id FROM {BOOK} WHERE is_new AND advisor_id IS NOT NULL
  UNION ALL
  SELECT r.advisor_id FROM {T['referral']} r
  WHERE r.signed_at >= %(start_at)s AND r.signed_at < %(end_at)s
    AND (r.client_id IS NULL OR (r.client_source = '{ClientSource.LINKED.value}'
                                 AND NOT EXISTS (SELECT 1 FROM {BOOK} b WHERE b.id = r.client_id AND b.is_new)))
) n GROUP BY advisor_id""",
    KpiCode.TIER_UPGRADES: f"""
SELECT c.advisor_id, count(*) FROM {T['change']} t JOIN {T['client']} c ON c.id = t.client_id
WHERE t.direction = '{Direction.UPGRADE.value}' AND t.effective_date BETWEEN %(start)s AND %(end)s
  AND c.advisor_id IS NOT NULL
GROUP BY c.advisor_id""",
    KpiCode.EFFECTIVE_CONTACTS: f"""
SELECT staff_id, count(*) FROM {T['contact']}
WHERE effective AND occurred_at >= %(start_at)s AND occurred_at < %(end_at)s GROUP BY staff_id""",
    KpiCode.CALLS_PER_BUSINESS_DAY: f"""
SELECT staff_id, count(*)::numeric / %(business_days)s FROM {T['contact']}
WHERE effective AND channel = 'phone' AND occurred_at >= %(start_at)s AND occurred_at < %(end_at)s
  AND %(business_days)s > 0
GROUP BY staff_id""",
    KpiCode.COVERAGE_RATE: f"""
SELECT c.advisor_id, count(r.client_id)::numeric / count(*) FROM {T['client']} c
LEFT JOIN (SELECT DISTINCT client_id FROM {T['contact']}
           WHERE effective AND occurred_at >= %(start_at)s AND occurred_at < %(end_at)s) r ON r.client_id = c.id
WHERE c.advisor_id IS NOT NULL AND c.created_at < %(end_at)s GROUP BY c.advisor_id""",
    # Callbacks due under the plans (clients.CallbackPlan, the plan of each client's unit and tier in force on
    # the period's last day so far; passed in as the table ``plan``), three kinds, one row per callback:
    # - routine: due on the last effective contact before the period + the plan's interval, made by any
    #   effective contact;
    # - 满意度回访: due the plan's months after the last satisfaction callback (never given one: after becoming a
    #   client), made by an effective contact of that purpose;
    # - 大额销售回访: each large sale (not a deposit, ≥ the plan's threshold, within the satisfaction cycle) not
    #   called back before the period is due on the sale day + the plan's days, made by an effective contact of
    #   that purpose on or after the sale day.
    # A callback already overdue when the period starts is due by the period's end (clients never reached
    # too). It is made in time when the first qualifying contact of the period is on or before the due day.
    # While the period runs, only what has fallen due so far (or was already made) counts.
    KpiCode.CALLBACK_COMPLIANCE: f"""
WITH plan (org_unit_id, tier, interval_days, large_sale_threshold, large_sale_days, satisfaction_months) AS (
  SELECT * FROM unnest(%(plan_units)s::bigint[], %(plan_tiers)s::varchar[], %(plan_intervals)s::int[],
                       %(plan_thresholds)s::numeric[], %(plan_sale_days)s::int[], %(plan_months)s::int[])
), book AS (
  SELECT c.id, c.advisor_id, c.created_at, p.interval_days, p.large_sale_threshold, p.large_sale_days,
         p.satisfaction_months
  FROM {T['client']} c JOIN plan p ON p.org_unit_id = c.org_unit_id AND p.tier = c.tier
  WHERE c.advisor_id IS NOT NULL AND c.created_at < %(end_at)s
), reached AS (
  SELECT client_id,
    max(occurred_at) FILTER (WHERE occurred_at < %(start_at)s AND occurred_at >= %(lookback_at)s) AS last_any,
    min(occurred_at) FILTER (WHERE occurred_at >= %(start_at)s) AS first_any,
    max(occurred_at) FILTER (WHERE occurred_at < %(start_at)s AND purpose = '{SATISFACTION}') AS last_satisfaction,
    min(occurred_at) FILTER (WHERE occurred_at >= %(start_at)s AND purpose = '{SATISFACTION}') AS first_satisfaction
  FROM {T['contact']}
  WHERE effective AND occurred_at >= LEAST(%(lookback_at)s, %(satisfaction_lookback_at)s) AND occurred_at < %(end_at)s
  GROUP BY client_id
), raw_due AS (
  SELECT b.advisor_id, r.first_any AS made_at, (r.last_any AT TIME ZONE '{ZONE}')::date + b.interval_days AS due_on
  FROM book b LEFT JOIN reached r ON r.client_id = b.id
  UNION ALL
  SELECT b.advisor_id, r.first_satisfaction,
    ((COALESCE(r.last_satisfaction, b.created_at) AT TIME ZONE '{ZONE}')::date
     + make_interval(months => b.satisfaction_months))::date
  FROM book b LEFT JOIN reached r ON r.client_id = b.id
  UNION ALL
  SELECT b.advisor_id,
    (SELECT min(k.occurred_at) FROM {T['contact']} k WHERE k.client_id = s.client_id AND k.effective
       AND k.purpose = '{LARGE_SALE}' AND k.occurred_at < %(end_at)s
       AND k.occurred_at >= GREATEST(%(start_at)s, s.sold_on::timestamp AT TIME ZONE '{ZONE}')),
    s.sold_on + b.large_sale_days
  FROM book b JOIN {T['sale']} s ON s.client_id = b.id
  WHERE s.product_category <> '{ProductCategory.DEPOSIT.value}' AND s.amount >= b.large_sale_threshold
    AND s.sold_on <= %(end)s AND s.sold_on > (%(so_far)s - make_interval(months => b.satisfaction_months))::date
    AND NOT EXISTS (SELECT 1 FROM {T['contact']} k WHERE k.client_id = s.client_id AND k.effective
                    AND k.purpose = '{LARGE_SALE}' AND k.occurred_at < %(start_at)s
                    AND k.occurred_at >= s.sold_on::timestamp AT TIME ZONE '{ZONE}')
), due AS (
  SELECT advisor_id, made_at,
    CASE WHEN due_on IS NULL OR due_on < %(start)s THEN %(end)s ELSE due_on END AS due_on
  FROM raw_due
), judged AS (
  SELECT advisor_id, due_on, made_at < ((due_on + 1)::timestamp AT TIME ZONE '{ZONE}') AS in_time
  FROM due WHERE due_on <= %(end)s
)
SELECT advisor_id, count(*) FILTER (WHERE in_time)::numeric / count(*) FROM judged
WHERE in_time OR due_on <= %(so_far)s GROUP BY advisor_id""",
    # Per advisor's turn on a referral (a reassignment ends one turn and starts another, and a breach stays on
    # the turn that breached), whose deadline falls in the period: followed up, flagged, or current and past due
    # (referrals.models.sla_counted_q).
    KpiCode.REFERRAL_SLA_RATE: f"""
SELECT advisor_id, count(*) FILTER (WHERE followed_up_at <= due_at)::numeric / count(*) FROM {T['assignment']}
WHERE due_at >= %(start_at)s AND due_at < %(end_at)s
  AND (followed_up_at IS NOT NULL OR breached_at IS NOT NULL OR (ended_at IS NULL AND due_at <= %(now)s))
GROUP BY advisor_id""",
    KpiCode.REFERRAL_CONVERSION: f"""
SELECT advisor_id, count(*) FILTER (WHERE signed_at >= %(start_at)s AND signed_at < %(end_at)s)::numeric / count(*)
FROM {T['referral']}
WHERE (signed_at >= %(start_at)s AND signed_at < %(end_at)s) OR (declined_at >= %(start_at)s AND declined_at < %(end_at)s)
GROUP BY advisor_id""",
    # 一份业绩两份计算: each signed referral once for the referrer and once for the advisor (once if the same).
    KpiCode.REFERRALS_MADE: f"""
SELECT person, count(*) FROM (
  SELECT id, referrer_id AS person FROM {T['referral']} WHERE signed_at >= %(start_at)s AND signed_at < %(end_at)s
  UNION
  SELECT id, advisor_id FROM {T['referral']} WHERE signed_at >= %(start_at)s AND signed_at < %(end_at)s
) credit GROUP BY person""",
    # Private-banking products: every category but plain deposits.
    KpiCode.PRODUCT_ALLOCATION: f"""
SELECT COALESCE(s.advisor_id, c.advisor_id), SUM(s.amount) FROM {T['sale']} s JOIN {T['client']} c ON c.id = s.client_id
WHERE s.sold_on BETWEEN %(start)s AND %(end)s AND s.product_category <> '{ProductCategory.DEPOSIT.value}'
GROUP BY 1""",
    KpiCode.PRODUCT_COVERAGE: f"""
SELECT c.advisor_id, count(h.client_id)::numeric / count(*) FROM {T['client']} c
LEFT JOIN (SELECT client_id FROM {T['sale']} WHERE sold_on <= %(end)s
           GROUP BY client_id HAVING count(DISTINCT product_category) >= 2) h ON h.client_id = c.id
WHERE c.advisor_id IS NOT NULL AND c.created_at < %(end_at)s GROUP BY c.advisor_id""",
    KpiCode.FEE_INCOME: f"""
SELECT COALESCE(s.advisor_id, c.advisor_id), SUM(s.fee_income) FROM {T['sale']} s JOIN {T['client']} c ON c.id = s.client_id
WHERE s.sold_on BETWEEN %(start)s AND %(end)s GROUP BY 1""",
    KpiCode.COMPLAINTS: f"""
SELECT advisor_id, count(*) FROM {T['complaint']}
WHERE valid AND received_on BETWEEN %(start)s AND %(end)s GROUP BY advisor_id""",
}
assert set(KPI_SQL) == set(CATALOGUE)

# The advisors scored: active advisors and account managers placed in an org unit, with their branch (the
# second segment of the unit's materialised path; none for a head-office unit).
ADVISORS_SQL = f"""
SELECT s.id, s.role, s.org_unit_id, NULLIF(split_part(u.path, '/', 2), '')::int AS branch_id
FROM {T['staff']} s JOIN {T['unit']} u ON u.id = s.org_unit_id
WHERE s.is_active AND s.role IN ({", ".join(f"'{role.value}'" for role in SCORED_ROLES)})
"""


def _upsert_kpi_sql(code: str) -> str:
    return f"""
INSERT INTO {T['value']} (advisor_id, kpi, period, value, computed_at)
SELECT a.id, '{code}', %(start)s, COALESCE(ROUND(k.value, 4), 0), %(now)s
FROM ({ADVISORS_SQL}) a LEFT JOIN ({KPI_SQL[code]}) k (advisor_id, value) ON k.advisor_id = a.id
ON CONFLICT (advisor_id, kpi, period) DO UPDATE SET value = EXCLUDED.value, computed_at = EXCLUDED.computed_at
WHERE {T['value']}.value IS DISTINCT FROM EXCLUDED.value
"""


# Score = Σ weight × min(actual ÷ target, cap) − deduction × valid complaints. A KPI contributes between 0 and
# weight × cap: an AUM outflow scores nothing on that line rather than wiping out the rest of the card.
SCORE_SQL = f"""
WITH a AS ({ADVISORS_SQL}),
t AS (
  SELECT DISTINCT ON (role, kpi) role, kpi, target, weight, cap FROM {T['target']}
  WHERE effective_from <= %(start)s ORDER BY role, kpi, effective_from DESC
), points AS (
  SELECT v.advisor_id, SUM(t.weight * GREATEST(0, LEAST(v.value / t.target, t.cap))) AS points
  FROM {T['value']} v JOIN a ON a.id = v.advisor_id JOIN t ON t.role = a.role AND t.kpi = v.kpi
  WHERE v.period = %(start)s GROUP BY v.advisor_id
), deductions AS (
  SELECT advisor_id, value * %(deduction)s AS deduction FROM {T['value']}
  WHERE period = %(start)s AND kpi = '{KpiCode.COMPLAINTS.value}'
), scored AS (
  SELECT a.id, a.role, a.org_unit_id, a.branch_id, COALESCE(d.deduction, 0) AS deduction,
    ROUND(COALESCE(p.points, 0) - COALESCE(d.deduction, 0), 2) AS score
  FROM a LEFT JOIN points p ON p.advisor_id = a.id LEFT JOIN deductions d ON d.advisor_id = a.id
)
INSERT INTO {T['scorecard']} (advisor_id, period, org_unit_id, branch_id, role, score, deduction,
                              rank_in_branch, rank_in_bank, computed_at)
SELECT id, %(start)s, org_unit_id, branch_id, role, score, deduction,
  RANK() OVER (PARTITION BY branch_id ORDER BY score DESC), RANK() OVER (ORDER BY score DESC), %(now)s
FROM scored
ON CONFLICT (advisor_id, period) DO UPDATE SET org_unit_id = EXCLUDED.org_unit_id, branch_id = EXCLUDED.branch_id,
  role = EXCLUDED.role, score = EXCLUDED.score, deduction = EXCLUDED.deduction,
  rank_in_branch = EXCLUDED.rank_in_branch, rank_in_bank = EXCLUDED.rank_in_bank, computed_at = EXCLUDED.computed_at
"""

# Attainment = average of (client growth ÷ its target) and (AUM growth ÷ its target), over the unit's subtree.
# Ranked within each kind; echelon k holds the ranks in the k-th fifth (ties share rank, hence echelon).
ECHELON_SQL = f"""
WITH per_unit AS (
  SELECT org_unit_id, count(*) FILTER (WHERE is_new) AS new_clients, SUM(end_aum - start_aum) AS aum_growth
  FROM {BOOK} GROUP BY org_unit_id
), units AS (
  SELECT id, kind, path FROM {T['unit']} WHERE kind IN ({", ".join(f"'{k}'" for k in ECHELON_KINDS)})
), rolled AS (
  SELECT u.id, u.kind, COALESCE(SUM(s.new_clients), 0) AS client_growth, COALESCE(SUM(s.aum_growth), 0) AS aum_growth
  FROM units u JOIN {T['unit']} d ON d.path LIKE u.path || '%%' LEFT JOIN per_unit s ON s.org_unit_id = d.id
  GROUP BY u.id, u.kind
), targeted AS (
  SELECT r.*, COALESCE(own.client_growth_target, kind.client_growth_target) AS client_target,
         COALESCE(own.aum_growth_target, kind.aum_growth_target) AS aum_target
  FROM rolled r
  LEFT JOIN LATERAL (SELECT client_growth_target, aum_growth_target FROM {T['echelon_target']}
                     WHERE org_unit_id = r.id AND effective_from <= %(start)s
                     ORDER BY effective_from DESC LIMIT 1) own ON true
  LEFT JOIN LATERAL (SELECT client_growth_target, aum_growth_target FROM {T['echelon_target']}
                     WHERE org_unit_id IS NULL AND kind = r.kind AND effective_from <= %(start)s
                     ORDER BY effective_from DESC LIMIT 1) kind ON true
), attained AS (
  SELECT *, ROUND((client_growth::numeric / client_target + aum_growth / aum_target) / 2, 4) AS attainment
  FROM targeted WHERE client_target IS NOT NULL
), ranked AS (
  SELECT *, RANK() OVER (PARTITION BY kind ORDER BY attainment DESC) AS rnk, count(*) OVER (PARTITION BY kind) AS n
  FROM attained
), placed AS (
  SELECT r.*, 1 + ({ECHELONS} * (r.rnk - 1)) / r.n AS echelon, p.echelon AS previous_echelon
  FROM ranked r LEFT JOIN {T['echelon']} p ON p.org_unit_id = r.id AND p.period = %(previous)s
)
INSERT INTO {T['echelon']} (org_unit_id, kind, period, client_growth, aum_growth, attainment, rank, echelon, card,
                            computed_at)
SELECT id, kind, %(start)s, client_growth, aum_growth, attainment, rnk, echelon,
  {{card}}, %(now)s
FROM placed
ON CONFLICT (org_unit_id, period) DO UPDATE SET kind = EXCLUDED.kind, client_growth = EXCLUDED.client_growth,
  aum_growth = EXCLUDED.aum_growth, attainment = EXCLUDED.attainment, rank = EXCLUDED.rank,
  echelon = EXCLUDED.echelon, card = EXCLUDED.card, computed_at = EXCLUDED.computed_at
"""


def _card_case(echelon: str, previous: str) -> str:
    """SQL: echelon 5 two months running → red; echelon 4 or 5 otherwise → yellow; else none."""
    return (f"CASE WHEN {echelon} = {ECHELONS} AND {previous} = {ECHELONS} THEN '{Card.RED.value}' "
            f"WHEN {echelon} >= {ECHELONS - 1} THEN '{Card.YELLOW.value}' ELSE '' END")


ECHELON_SQL = ECHELON_SQL.format(card=_card_case("echelon", "previous_echelon"))
# Recomputing a month can change the next month's cards (they look back one month).
NEXT_CARDS_SQL = f"""
UPDATE {T['echelon']} n SET card = {_card_case("n.echelon", "p.echelon")}
FROM {T['echelon']} p WHERE n.period = %(next)s AND p.period = %(start)s AND p.org_unit_id = n.org_unit_id
"""


# The columns of clients.models.PlansInForce.rows, as the arrays the callback-compliance statement unnests.
PLAN_PARAMS = ("plan_units", "plan_tiers", "plan_intervals", "plan_thresholds", "plan_sale_days", "plan_months")


def statement_params(period: Period, *, now: dt.datetime | None = None) -> dict:
    """The parameters every statement of one period's recompute uses (shared with the benchmark)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    so_far = period.last_day_so_far(today)
    longest = CallbackPlan.objects.aggregate(days=Max("interval_days"), months=Max("satisfaction_months"))
    plans = CallbackPlan.objects.in_force(so_far).rows(OrgUnit.objects.values_list("id", flat=True))
    rule = ScoreRule.objects.effective_on(period.start).order_by("-effective_from").first()
    return {
        "start": period.start, "end": period.end, "start_at": period.start_at, "end_at": period.end_at,
        "so_far": so_far, "now": now, "previous": period.previous.start, "next": period.next.start,
        "business_days": len(business_calendar.business_days_between(period.start, so_far)) if so_far >= period.start else 0,
        "lookback_at": period.start_at - dt.timedelta(days=longest["days"] or 0),
        # a month is at most 31 days: the window reaches back past the longest satisfaction cycle
        "satisfaction_lookback_at": period.start_at - dt.timedelta(days=31 * (longest["months"] or 0)),
        **dict(zip(PLAN_PARAMS, (list(column) for column in zip(*plans, strict=True)) if plans
                   else ([] for _name in PLAN_PARAMS), strict=True)),
        "deduction": rule.complaint_deduction if rule else Decimal("0"),
    }


def period_statements(period: Period, *, now: dt.datetime) -> list[str]:
    """The statements of one period's recompute, in order (shared with the benchmark's floor)."""
    return [
        f"DROP TABLE IF EXISTS {BOOK}",
        _book_sql(period.is_current(timezone.localdate(now))),
        f"ANALYZE {BOOK}",
        *[_upsert_kpi_sql(code) for code in KPI_SQL],
        # advisors who left (or changed role) since an earlier run of this month: their rows go
        *[f"DELETE FROM {table} WHERE period = %(start)s AND advisor_id NOT IN (SELECT id FROM ({ADVISORS_SQL}) a)"
          for table in (T["value"], T["scorecard"])],
        SCORE_SQL,
        ECHELON_SQL,
        NEXT_CARDS_SQL,
        f"DROP TABLE {BOOK}",
    ]


def _compute_period(cursor, period: Period, *, now: dt.datetime, report, base: int, span: int) -> None:
    params = statement_params(period, now=now)
    statements = period_statements(period, now=now)
    for i, sql in enumerate(statements, start=1):
        cursor.execute(sql, params)
        report(base + span * i // len(statements))


def recompute_scorecards(periods: list[Period] | Period, *, progress=None, now: dt.datetime | None = None) -> dict:
    """KPI values, scores, ranks and echelons of each period (in order), as one transaction.

    Idempotent: upserts keyed by advisor × KPI × period (scorecards by advisor × period, echelons by unit ×
    period); running it twice on the same data changes no value. Concurrent runs are serialised with a
    transaction-scoped advisory lock: the second *waits* and then recomputes on the committed data, so a
    manual run queued after a correction is never silently dropped. A worker killed half-way leaves the
    previous figures (one transaction). ``progress`` (optional callable taking 0–100) follows the work.
    """
    periods = [periods] if isinstance(periods, Period) else list(periods)
    report = progress or (lambda _n: None)
    now = now or timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RECOMPUTE_LOCK_KEY])
        report(2)
        span = 98 // max(len(periods), 1)
        for i, period in enumerate(sorted(periods, key=lambda p: p.start)):
            _compute_period(cursor, period, now=now, report=report, base=2 + i * span, span=span)
        advisors = Scorecard.objects.filter(period__in=[p.start for p in periods]).count()
    report(100)
    logger.info("scorecard recompute %s: %s scorecards", ", ".join(map(str, periods)), advisors)
    return {"periods": [str(p) for p in periods], "scorecards": advisors}


# --- complaints, meetings, targets ---------------------------------------------------------------------------

def _scored_staff_in_scope(actor, advisor) -> bool:
    return (advisor is not None and advisor.role in SCORED_ROLES
            and Staff.objects.visible_to(actor).filter(pk=advisor.pk).exists())


def record_complaint(*, actor, client, advisor, received_on: dt.date, note: str = "",
                     valid: bool | None = None) -> Complaint:
    """A manager records a complaint about an advisor; it deducts only once decided valid."""
    errors = {}
    if client is None or not Client.objects.visible_to(actor).filter(pk=client.pk).exists():
        errors["client"] = [_("客户不存在或不在您的管辖范围内。")]
    if not _scored_staff_in_scope(actor, advisor):
        errors["advisor"] = [_("请选择您管辖范围内的财富顾问或客户经理。")]
    if received_on and received_on > timezone.localdate():
        errors["received_on"] = [_("受理日期不能晚于今天。")]
    if errors:
        raise ValidationError(errors)
    complaint = Complaint.objects.create(client=client, advisor=advisor, received_on=received_on, note=note or "",
                                         created_by=actor)
    if valid is not None:
        decide_complaint(complaint=complaint, actor=actor, valid=valid)
    return complaint


def decide_complaint(*, complaint: Complaint, actor, valid: bool, note: str = "") -> Complaint:
    """Valid or invalid, by a manager in scope (the advisor concerned never decides their own)."""
    if complaint.advisor_id == actor.pk:
        raise ValidationError({"valid": [_("不能认定针对本人的投诉。")]})
    complaint.valid, complaint.decided_by, complaint.decided_at = valid, actor, timezone.now()
    fields = ["valid", "decided_by", "decided_at"]
    if note:
        complaint.note = f"{complaint.note}\n{note}".strip()
        fields.append("note")
    complaint.save(update_fields=fields)
    return complaint


def record_meeting(*, actor, org_unit, held_on: dt.date, attendees, clients=(), notes: str = ""):
    """Record a client analysis meeting (客户分析会) of a unit in the actor's scope."""
    errors = {}
    if org_unit is None or not OrgUnit.objects.filter(pk=org_unit.pk, path__startswith=scope_root_path(actor)).exists():
        errors["org_unit"] = [_("机构不存在或不在您的管辖范围内。")]
    if held_on and held_on > timezone.localdate():
        errors["held_on"] = [_("会议日期不能晚于今天。")]
    attendees, clients = list(attendees), list(clients)
    if not attendees:
        errors["attendees"] = [_("请填写参会人员。")]
    elif Staff.objects.visible_to(actor).filter(pk__in=[s.pk for s in attendees]).count() != len(set(attendees)):
        errors["attendees"] = [_("参会人员须在您的管辖范围内。")]
    if clients and Client.objects.visible_to(actor).filter(pk__in=[c.pk for c in clients]).count() != len(set(clients)):
        errors["clients"] = [_("讨论客户须在您的管辖范围内。")]
    if errors:
        raise ValidationError(errors)
    meeting = AnalysisMeeting.objects.create(org_unit=org_unit, held_on=held_on, notes=notes or "", created_by=actor)
    meeting.attendees.set(attendees)
    meeting.clients.set(clients)
    return meeting


def scope_root_path(actor) -> str:
    """The materialised-path prefix of what a manager may act on ("" for head office: everything)."""
    if sees_everything(actor):
        return ""
    return actor.org_unit.path if actor.org_unit_id else "\x00"


def create_target(*, actor, role: str, kpi: str, effective_from: dt.date, target: Decimal, weight: Decimal,
                  cap: Decimal) -> KpiTarget:
    """Add a target (never edited in place: past scorecards stay explainable by the targets they used)."""
    row = KpiTarget(role=role, kpi=kpi, effective_from=effective_from, target=target, weight=weight, cap=cap,
                    created_by=actor)
    errors = {}
    if role not in SCORED_ROLES:
        errors["role"] = [_("只有财富顾问和客户经理参加考核。")]
    if kpi == KpiCode.COMPLAINTS:
        errors["kpi"] = [_("有效投诉按扣分规则扣分，不设目标。")]
    if target is not None and target <= 0:
        errors["target"] = [_("目标值必须大于 0。")]
    if weight is not None and weight < 0:
        errors["weight"] = [_("权重不能为负。")]
    if cap is not None and cap < 1:
        errors["cap"] = [_("封顶倍数不能小于 1。")]
    if effective_from and effective_from.day != 1:
        errors["effective_from"] = [_("生效日期须为某月 1 日（考核按自然月）。")]
    elif KpiTarget.objects.filter(role=role, kpi=kpi, effective_from=effective_from).exists():
        errors["effective_from"] = [_("该角色该指标在此月份已有目标，请选择其他月份。")]
    if errors:
        raise ValidationError(errors)
    row.save()
    return row


def targets_in_force(period: Period) -> dict[tuple[str, str], KpiTarget]:
    """(role, kpi) → the target row in force for the period (one query)."""
    rows = (KpiTarget.objects.filter(effective_from__lte=period.start)
            .order_by("role", "kpi", "-effective_from").distinct("role", "kpi"))
    return {(row.role, row.kpi): row for row in rows}
