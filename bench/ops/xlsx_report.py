"""Monthly report, XLSX summary sheets: ``build_monthly_report`` for a workbook of the current month (≤ 30 s).

Ours: the service as the Celery task calls it — the tier summary table refreshed for the month (one
``INSERT ... SELECT ... ON CONFLICT``), then every sheet of ``performance.reports.sheets.SHEETS`` from
aggregates, written with XlsxWriter — in a child process whose peak RSS is reported. The floor is the one scan
no workbook can avoid: the clients grouped by org unit and tier in hand-written SQL.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import db
from bench.ops import csv_export

NAME = "xlsx_report"
RUN_DB = csv_export.RUN_DB
FLOOR = "SELECT org_unit_id, tier, count(*), sum(aum) FROM clients_client GROUP BY org_unit_id, tier"


def run(ctx) -> dict:
    db.recreate(RUN_DB, template=ctx["template"])
    with tempfile.TemporaryDirectory(prefix="bench_xlsx_") as tmp:
        env = {**os.environ, "DATABASE_URL": db.url_for(RUN_DB), "MEDIA_ROOT": str(Path(tmp) / "media")}
        with db.connect(RUN_DB) as conn, conn.cursor() as cur:
            cur.execute(FLOOR)  # warm
            started = time.perf_counter()
            cur.execute(FLOOR)
            cur.fetchall()
            floor_s = time.perf_counter() - started
        out = subprocess.run([sys.executable, "-m", "bench.worker", NAME, "xlsx"], env=env, check=True,
                             capture_output=True, text=True)
        ours = json.loads(out.stdout.strip().splitlines()[-1])
        size_kb = Path(ours["path"]).stat().st_size / 1e3 if ours["path"] else 0
    db.drop(RUN_DB)
    return {"ours_s": ours["seconds"], "floor_s": floor_s, "ratio": ours["seconds"] / floor_s, "p95_ms": None,
            "peak_rss_mb": ours["peak_rss_mb"], "errors": int(ours["status"] != "done"),
            "detail": f"{ours['rows']} sheet rows, {size_kb:.0f} kB; target ≤ 30 s; floor = one GROUP BY of the "
                      f"clients by org unit and tier"}


measure_ours = csv_export.measure_ours
