"""Monthly report, client-level CSV: ``performance.reports.services.build_monthly_report`` vs one ``COPY ... TO``.

Ours: what the Celery task does for a CSV report of the current month (a ``MonthlyReport`` row, then the
service: header with BOM, then ``COPY (SELECT ...) TO STDOUT WITH CSV`` per client-id range straight into the
file, progress between ranges, rename into place), in a child process whose peak RSS is reported.
Floors, on the same database: the same SELECT (labels, neutralised cells) in one ``COPY`` into a file — so
the ratio measures only our chunking and bookkeeping — and a bare ``COPY`` of the raw columns for scale.
The output is checked: the floor's bytes must equal ours without the header line.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import db

NAME = "csv_export"
RUN_DB = "wealthcrm_bench_run"
HEADER_BYTES = len(("\ufeff" + ",".join(["客户号", "姓名", "所属机构", "管户顾问", "客户层级", "我行金融资产（元）",
                                         "价值分群", "临界提级"]) + "\r\n").encode())


def _neutral(expr: str) -> str:
    return f"CASE WHEN {expr} ~ '^[=+\\-@\\t\\r]' THEN '''' || {expr} ELSE {expr} END"


_ADVISOR = "COALESCE(NULLIF(a.display_name, ''), a.username, '')"
FLOOR_SAME = f"""COPY (
SELECT {_neutral("c.client_no")}, {_neutral("c.name")}, {_neutral("u.name")}, {_neutral(_ADVISOR)},
  CASE c.tier WHEN 'head_office' THEN '总行级' WHEN 'branch' THEN '分行级' WHEN 'sub_branch' THEN '支行级' END, c.aum,
  CASE c.value_segment WHEN 'A' THEN 'A 成长期' WHEN 'B' THEN 'B 培育期' WHEN 'C' THEN 'C 潜力' WHEN 'D' THEN 'D 一般'
    ELSE '' END,
  CASE WHEN c.near_threshold THEN '是' ELSE '否' END
FROM clients_client c JOIN org_orgunit u ON u.id = c.org_unit_id LEFT JOIN org_staff a ON a.id = c.advisor_id
ORDER BY c.id) TO STDOUT WITH (FORMAT csv)"""
FLOOR_BARE = """COPY (SELECT c.client_no, c.name, c.org_unit_id, c.advisor_id, c.tier, c.aum, c.value_segment,
  c.near_threshold FROM clients_client c) TO STDOUT WITH (FORMAT csv)"""


def _copy(statement: str, target: Path) -> tuple[float, int]:
    with db.connect(RUN_DB) as conn, conn.cursor() as cur, target.open("wb") as out:
        cur.execute("SELECT 1")
        started = time.perf_counter()
        cur.copy_expert(statement, out)
        return time.perf_counter() - started, cur.rowcount


def _same_bytes(ours: Path, skip: int, floor: Path, block: int = 1 << 20) -> bool:
    """Our file after its header equals the floor's, compared block by block: the harness must not hold the
    files in memory, since a child process started afterwards reports the harness's peak RSS as its own (Linux
    carries the pre-exec high-water mark into ``ru_maxrss``)."""
    with ours.open("rb") as a, floor.open("rb") as b:
        a.seek(skip)
        while True:
            left, right = a.read(block), b.read(block)
            if left != right:
                return False
            if not left:
                return True


def _ours(media: str) -> dict:
    env = {**os.environ, "DATABASE_URL": db.url_for(RUN_DB), "MEDIA_ROOT": media}
    out = subprocess.run([sys.executable, "-m", "bench.worker", NAME, "csv"], env=env, check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(ctx) -> dict:
    db.recreate(RUN_DB, template=ctx["template"])
    with tempfile.TemporaryDirectory(prefix="bench_csv_") as tmp:
        _copy(FLOOR_BARE, Path(tmp) / "warm.csv")  # the same warm cache for every side
        ours = _ours(str(Path(tmp) / "media"))
        floor_s, floor_rows = _copy(FLOOR_SAME, Path(tmp) / "floor.csv")
        bare_s, _ = _copy(FLOOR_BARE, Path(tmp) / "bare.csv")
        same = _same_bytes(Path(ours["path"]), HEADER_BYTES, Path(tmp) / "floor.csv")
        size_mb = Path(ours["path"]).stat().st_size / 1e6
    db.drop(RUN_DB)
    errors = int(ours["status"] != "done") + int(ours["rows"] != floor_rows) + int(not same)
    return {"ours_s": ours["seconds"], "floor_s": floor_s, "ratio": ours["seconds"] / floor_s, "p95_ms": None,
            "peak_rss_mb": ours["peak_rss_mb"], "errors": errors,
            "detail": f"{ours['rows']:,} rows, {size_mb:.0f} MB; floor = the same SELECT in one COPY "
                      f"(identical bytes: {'yes' if same else 'NO'}); bare COPY of raw columns {bare_s:.2f}s"}


def measure_ours(fmt: str) -> dict:
    """Runs in the child process (``bench.worker``): a report row, then the service as the Celery task calls it."""
    from django.db import connection

    from performance.reports import services, summary
    from performance.reports.models import MonthlyReport

    connection.ensure_connection()
    started = time.perf_counter()
    report = MonthlyReport.objects.create(month=summary.current_month(), format=fmt)
    report = services.build_monthly_report(report_id=report.pk)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "status": report.status, "rows": report.row_count,
            "path": report.file.path if report.file else ""}
