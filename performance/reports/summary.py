"""The figures of a month: the month's calendar helpers, the clients as they stood at month end (one SQL), and the
per-unit summary tables that dashboards and the monthly report read instead of scanning the clients per page view:
tiers (``OrgTierMonth``), acquisition channels (``OrgChannelMonth``) and outstanding callbacks
(``OrgCallbackSummary``).

Below both the report builder (services, sheets) and the nightly tasks that keep the summaries current.
"""

from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.choices import AcquisitionChannel, CallbackState, FollowUpState
from clients.models import AumSnapshot, Client
from performance.reports.models import OrgCallbackSummary, OrgChannelMonth, OrgTierMonth
from referrals.models import Referral
from tiers.models import TierChange, TierPolicy
from tiers.services import RECOMPUTE_LOCK_KEY
from wealthcrm.org.models import OrgUnit
from wealthcrm.tiering import Tier

# --- months ---------------------------------------------------------------------------------------------------

def parse_month(text) -> date:
    """``"YYYY-MM"`` → the first day of that month; a future month or anything else → ``ValidationError``."""
    value = str(text or "").strip()
    try:
        if len(value) != 7 or value[4] != "-" or not value.replace("-", "").isascii():
            raise ValueError
        month = date(int(value[:4]), int(value[5:]), 1)
    except ValueError:
        raise ValidationError({"month": [_("月份格式应为 YYYY-MM，例如 2026-03。")]}) from None
    if month.year < 2000:
        raise ValidationError({"month": [_("月份不能早于 2000 年。")]})
    if month > current_month():
        raise ValidationError({"month": [_("不能选择未来的月份。")]})
    return month


def current_month() -> date:
    return timezone.localdate().replace(day=1)


def month_end(month: date) -> date:
    return next_month(month) - timedelta(days=1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


# --- the clients of a month -----------------------------------------------------------------------------------

def month_clients_sql(month: date) -> tuple[str, dict]:
    """SQL selecting every client of ``month`` with the month's values (module docstring), and its parameters.

    Columns: ``id, client_no, name, org_unit_id, advisor_id, tier, aum, value_segment, near_threshold``.
    """
    client = Client._meta.db_table
    columns = "c.id, c.client_no, c.name, c.org_unit_id, c.advisor_id"
    if month >= current_month():
        return (f"SELECT {columns}, c.tier, c.aum, c.value_segment, c.near_threshold FROM {client} c", {})
    last_day = month_end(month)
    policy = TierPolicy.objects.effective_on(last_day)
    change, snapshot = TierChange._meta.db_table, AumSnapshot._meta.db_table
    if policy is None:
        near = "false"
        floors = {}
    else:
        # Mirrors the nightly recompute: near the floor of the next tier up, never for the top tier.
        near = ("CASE WHEN s.aum >= %(ho)s THEN false WHEN s.aum >= %(br)s THEN s.aum >= %(ho_near)s "
                "ELSE COALESCE(s.aum, 0) >= %(br_near)s END")
        floors = {"ho": policy.head_office_floor, "br": policy.branch_floor,
                  "ho_near": policy.near_floor(policy.head_office_floor),
                  "br_near": policy.near_floor(policy.branch_floor)}
    sql = f"""
SELECT {columns},
  COALESCE(
    (SELECT t.to_tier FROM {change} t WHERE t.client_id = c.id AND t.effective_date <= %(last_day)s
     ORDER BY t.effective_date DESC, t.id DESC LIMIT 1),
    (SELECT t.from_tier FROM {change} t WHERE t.client_id = c.id AND t.effective_date > %(last_day)s
     ORDER BY t.effective_date, t.id LIMIT 1),
    c.tier) AS tier,
  COALESCE(s.aum, 0) AS aum, c.value_segment, {near} AS near_threshold
FROM {client} c
LEFT JOIN LATERAL (SELECT aum FROM {snapshot} WHERE client_id = c.id AND as_of <= %(last_day)s
                   ORDER BY as_of DESC LIMIT 1) s ON true
WHERE (s.aum IS NOT NULL OR c.created_at < %(month_over)s)"""
    return sql, {"last_day": last_day, "month_over": local_midnight(next_month(month)), **floors}


# --- the tier summary table -----------------------------------------------------------------------------------

def refresh_tier_summary(*, month: date) -> int:
    """Rewrite :class:`OrgTierMonth` for ``month``: every org unit × tier, rolled up over the unit's subtree.

    One ``INSERT ... SELECT ... ON CONFLICT DO UPDATE``: the clients of the month are grouped per (unit, tier)
    (a few hundred rows), each group is added to the unit and all its ancestors (path prefixes), and the grid
    of all units × all tiers is upserted, zeros included. Idempotent; returns the number of rows written.
    Called by the nightly tier recompute for the month it ran in, and by the monthly report before reading.
    """
    clients_sql, params = month_clients_sql(month)
    leaf = (f"SELECT org_unit_id, tier, count(*) AS clients, sum(aum) AS aum FROM ({clients_sql}) m "
            "GROUP BY org_unit_id, tier")
    return _roll_up(OrgTierMonth, leaf_sql=leaf, key="tier", keys=list(Tier.values), measures=("clients", "aum"),
                    params={**params, "month": month})


def _roll_up(summary_model, *, leaf_sql: str, key: str, keys: list[str], measures: tuple[str, ...],
             params: dict) -> int:
    """Upsert ``summary_model``'s rows of ``params["month"]`` in one ``INSERT ... SELECT``: the ``leaf_sql`` rows
    (``org_unit_id``, ``key``, the ``measures``; a few hundred) each added to its unit and all the unit's ancestors
    (path prefixes), over the grid of every unit × ``keys``, zeros included. Returns the rows written."""
    unit, summary = OrgUnit._meta.db_table, summary_model._meta.db_table
    sql = f"""
WITH leaf AS ({leaf_sql}),
rolled AS (
  SELECT a.id AS org_unit_id, l.{key}, {", ".join(f"sum(l.{m}) AS {m}" for m in measures)}
  FROM leaf l JOIN {unit} u ON u.id = l.org_unit_id JOIN {unit} a ON starts_with(u.path, a.path)
  GROUP BY a.id, l.{key})
INSERT INTO {summary} (org_unit_id, month, {key}, {", ".join(measures)}, refreshed_at)
SELECT o.id, %(month)s, k.{key}, {", ".join(f"COALESCE(r.{m}, 0)" for m in measures)}, now()
FROM {unit} o CROSS JOIN unnest(%(keys)s::varchar[]) AS k({key})
LEFT JOIN rolled r ON r.org_unit_id = o.id AND r.{key} = k.{key}
ON CONFLICT (org_unit_id, month, {key})
DO UPDATE SET {", ".join(f"{m} = EXCLUDED.{m}" for m in measures)}, refreshed_at = EXCLUDED.refreshed_at"""
    with connection.cursor() as cursor:
        cursor.execute(sql, {**params, "keys": keys})
        return cursor.rowcount


def refresh_recent_tier_summaries(*, months: int) -> list[date]:
    """Refresh the summary of the last ``months`` months up to the current one (go-live, demo): the dashboards'
    24-month trend needs the past months, which the nightly job only ever writes for the month it runs in."""
    month = current_month()
    done = []
    while len(done) < months:
        refresh_tier_summary(month=month)
        done.append(month)
        month = (month - timedelta(days=1)).replace(day=1)
    return done


def refresh_tier_summary_after_recompute(*, month: date) -> int:
    """The nightly refresh: waits for a tier recompute in progress (its advisory lock), then summarises the tiers
    it wrote. The tiers app knows nothing of this table; this side follows it."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RECOMPUTE_LOCK_KEY])
        return refresh_tier_summary(month=month)


# --- the acquisition-channel summary --------------------------------------------------------------------------

def refresh_channel_summary(*, month: date) -> int:
    """Rewrite :class:`OrgChannelMonth` for ``month`` in one ``INSERT ... SELECT``: the month's new clients and
    referrals grouped per (unit, channel), each group added to the unit and its ancestors, and the grid of all
    units × the six channels upserted, zeros included. Idempotent; returns the number of rows written."""
    leaf = f"""
  SELECT org_unit_id, acquisition_channel AS channel, count(*) AS clients, 0 AS referrals
  FROM {Client._meta.db_table} WHERE created_at >= %(start)s AND created_at < %(end)s GROUP BY 1, 2
  UNION ALL
  SELECT org_unit_id, channel, 0, count(*)
  FROM {Referral._meta.db_table} WHERE recommended_at >= %(start)s AND recommended_at < %(end)s GROUP BY 1, 2"""
    return _roll_up(OrgChannelMonth, leaf_sql=leaf, key="channel", keys=list(AcquisitionChannel.values),
                    measures=("clients", "referrals"),
                    params={"month": month, "start": local_midnight(month), "end": local_midnight(next_month(month))})


# --- the callback summary -------------------------------------------------------------------------------------

CALLBACK_FIGURES = {
    "callbacks_overdue": lambda clients, now: clients.in_callback_state(CallbackState.OVERDUE, now=now),
    "callbacks_due_soon": lambda clients, now: clients.in_callback_state(CallbackState.DUE_SOON, now=now),
    "follow_ups_today": lambda clients, now: clients.in_follow_up_state(FollowUpState.TODAY, now=now),
    "follow_ups_overdue": lambda clients, now: clients.in_follow_up_state(FollowUpState.OVERDUE, now=now),
}


def refresh_callback_summary(*, now: datetime | None = None) -> int:
    """Rewrite :class:`OrgCallbackSummary` as of ``now``: each figure is one GROUP BY per org unit over the clients
    app's own rule (so a change to the callback rule flows into the counts), rolled up over the ancestors on the
    materialised paths of a few hundred units, and every unit upserted (zeros included). Returns the rows written."""
    now = now or timezone.now()
    lineage = {unit.pk: unit.lineage_ids for unit in OrgUnit.objects.only("pk", "path")}
    totals = {pk: dict.fromkeys(CALLBACK_FIGURES, 0) for pk in lineage}
    for figure, rule in CALLBACK_FIGURES.items():
        matching = rule(Client.objects.all(), now).values("pk")
        for unit_id, n in (Client.objects.filter(pk__in=matching).order_by().values_list("org_unit")
                           .annotate(n=Count("pk"))):
            for ancestor in lineage[unit_id]:
                totals[ancestor][figure] += n
    rows = [OrgCallbackSummary(org_unit_id=pk, refreshed_at=now, **figures) for pk, figures in totals.items()]
    OrgCallbackSummary.objects.bulk_create(rows, batch_size=1000, update_conflicts=True, unique_fields=["org_unit"],
                                           update_fields=[*CALLBACK_FIGURES, "refreshed_at"])
    return len(rows)


def refresh_dashboard_summaries(*, now: datetime | None = None) -> dict:
    """The nightly refresh of the dashboards' channel (this month and the last, which may have gained rows after
    last night's run) and callback summaries."""
    now = now or timezone.now()
    month = timezone.localdate(now).replace(day=1)
    previous = (month - timedelta(days=1)).replace(day=1)
    return {"channels": sum(refresh_channel_summary(month=m) for m in (previous, month)),
            "callbacks": refresh_callback_summary(now=now)}
