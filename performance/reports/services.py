"""The monthly report and the tier summary table: requesting, building, downloading, expiring.

"Of the month" — which tier and AUM a client has in a report month
------------------------------------------------------------------
* **The current month** (the month of today, Asia/Shanghai): the client's current values — the AUM kept current
  from the latest snapshot, and the tier, near-threshold flag and value segment of the last nightly recompute.
  Requested twice, the report gives the same figures unless the data moved in between.
* **A past month**: the state at month end, rebuilt from history so that it never changes afterwards —
  AUM is the latest ``AumSnapshot`` on or before the last day of the month (0 without one); the tier is the
  ``to_tier`` of the client's last ``TierChange`` effective by month end, else the ``from_tier`` of the first
  change after it, else (never changed) the current tier; near-threshold is recomputed from that AUM under the
  ``TierPolicy`` in force at month end. The value segment is not historised and is today's label.
  Clients enter a past month's list when they existed then: a snapshot by month end, or created before it.
* A future month is refused.

Both the client-level CSV and :func:`refresh_tier_summary` (hence the XLSX tier summary and the dashboards)
read the same :func:`month_clients_sql`, so the workbook's counts and the CSV's rows agree.
"""

from collections.abc import Callable
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _

from clients.models import Client
from performance.reports.choices import ReportFormat
from performance.reports.models import MonthlyReport
from performance.reports.sheets import write_workbook
from performance.reports.summary import (
    month_clients_sql,
)
from wealthcrm.audit import services as audit
from wealthcrm.audit.choices import AuditAction
from wealthcrm.exports import building
from wealthcrm.exports.sql import FORMULA_START, copy_chunk, neutralised_sql, ranges_without_jit
from wealthcrm.org.models import OrgUnit, Staff
from wealthcrm.tiering import Tier, ValueSegment

# One key space for "building report N" in PostgreSQL's advisory locks ("rprt" in ASCII).
BUILD_LOCK_KEY = 0x72707274
# Client ids per COPY statement: small enough for steady progress, large enough that the statements' own
# overhead is noise next to the rows (PERFORMANCE.md: ≤ 2× one COPY of the whole list).
CSV_CHUNK_IDS = 50_000
CSV_HEADER = ["客户号", "姓名", "所属机构", "管户顾问", "客户层级", "我行金融资产（元）", "价值分群", "临界提级"]



# --- requesting and building ----------------------------------------------------------------------------------

def request_monthly_report(*, actor: Staff, month: date, format: str) -> MonthlyReport:
    """Record the request; the caller hands it to a worker with ``tasks.enqueue_build``."""
    if format not in ReportFormat.values:
        raise ValidationError({"format": [_("格式只能是 xlsx 或 csv。")]})
    report = MonthlyReport.objects.create(month=month, format=format, requested_by=actor)
    return report


def build_monthly_report(*, report_id: int, on_progress: Callable[[int], None] | None = None) -> MonthlyReport:
    """Build the report's file (CSV or XLSX) and mark it done — or failed, never a truncated file marked done
    (the life cycle of every background file: :func:`wealthcrm.exports.building.build_file`)."""

    def write(report, path, progress):
        if report.format == ReportFormat.CSV:
            return write_client_list(month=report.month, path=path, progress=progress)
        return write_workbook(month=report.month, path=path, progress=progress)

    return building.build_file(
        MonthlyReport, report_id, lock_key=BUILD_LOCK_KEY, write=write, on_progress=on_progress,
        name=lambda r: f"reports/{r.month:%Y/%m}/monthly-{r.month:%Y-%m}-{r.pk}.{r.format}",
        failure=_("报告生成失败，未产生文件。请重新申请；如再次失败请联系系统管理员。"))


def client_list_copy_sql(month: date) -> tuple[str, dict]:
    """The ``SELECT`` behind the client-level CSV, one row per client of the month, and its parameters."""
    clients_sql, params = month_clients_sql(month)
    unit, staff = OrgUnit._meta.db_table, Staff._meta.db_table
    tier_label = "CASE m.tier " + " ".join(f"WHEN '{code}' THEN %(tier_{code})s" for code in Tier.values) + " END"
    segment_label = ("CASE m.value_segment " + " ".join(f"WHEN '{code}' THEN %(segment_{code})s"
                                                        for code in ValueSegment.values) + " ELSE '' END")
    advisor = "COALESCE(NULLIF(a.display_name, ''), a.username, '')"
    sql = f"""
SELECT {neutralised_sql("m.client_no")}, {neutralised_sql("m.name")}, {neutralised_sql("u.name")},
  {neutralised_sql(advisor)},
  {tier_label}, m.aum, {segment_label}, CASE WHEN m.near_threshold THEN %(yes)s ELSE %(no)s END
FROM ({clients_sql}) m
JOIN {unit} u ON u.id = m.org_unit_id
LEFT JOIN {staff} a ON a.id = m.advisor_id
WHERE m.id > %(after_id)s AND m.id <= %(up_to_id)s
ORDER BY m.id"""
    labels = {f"tier_{code}": str(label) for code, label in Tier.choices}
    labels |= {f"segment_{code}": str(label) for code, label in ValueSegment.choices}
    return sql, {**params, **labels, "yes": _("是"), "no": _("否"), "formula_start": FORMULA_START}


def write_client_list(*, month: date, path: str, progress: Callable[[int], None]) -> int:
    """Write the client-level tier list of ``month`` to ``path``; returns the number of client rows.

    PostgreSQL writes the CSV itself (``COPY (SELECT ...) TO STDOUT WITH CSV``) straight into the file, in
    client-id ranges so that progress can be reported between them: memory stays flat at any number of clients.
    UTF-8 with a BOM so that Excel opens the Chinese header; formula-like cells are neutralised in the SQL.
    """
    sql, params = client_list_copy_sql(month)
    rows = 0
    with open(path, "wb") as out, connection.cursor() as wrapper:
        out.write(("\ufeff" + ",".join(CSV_HEADER) + "\r\n").encode("utf-8"))
        wrapper.execute(f"SELECT COALESCE(min(id), 0), COALESCE(max(id), 0) FROM {Client._meta.db_table}")
        low, high = wrapper.fetchone()
        cursor = wrapper.cursor  # psycopg2's own cursor: copy_expert and mogrify are not in Django's wrapper
        with ranges_without_jit(cursor):
            after = low - 1
            while after < high:
                up_to = min(after + CSV_CHUNK_IDS, high)
                statement = cursor.mogrify(sql, {**params, "after_id": after, "up_to_id": up_to}).decode()
                copy_chunk(cursor, f"COPY ({statement}) TO STDOUT WITH (FORMAT csv)", out)
                rows += cursor.rowcount
                after = up_to
                progress(100 * (after - low + 1) // (high - low + 1))
    return rows


# --- downloads and expiry -------------------------------------------------------------------------------------

def record_download(*, report: MonthlyReport, actor: Staff, request=None) -> None:
    """Every download is an export of client data: one audit event per download (PRODUCT.md "Privacy")."""
    audit.record(action=AuditAction.EXPORT, actor=actor, obj=report, request=request,
                 detail={"month": f"{report.month:%Y-%m}", "format": report.format, "rows": report.row_count})


def delete_expired_reports(*, now: datetime | None = None) -> int:
    """Delete the files of reports past ``expires_at``; the records stay (status ``expired``). Returns the count."""
    return building.delete_expired(MonthlyReport, now=now)
