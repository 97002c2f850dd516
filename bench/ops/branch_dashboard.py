"""The managers' dashboard (经营看板, ``/performance/dashboard/``): measured in the ``pages`` run (bench/ops/pages.py)
as the largest branch's manager opening it at the branch, drilling into a sub-branch or opening last month, its
sub-branch managers at their own, head office bank-wide, and the same figures from ``/api/v1/dashboard/``.

``settle`` fills what the nightly jobs would have: the tier summary of the last 24 months and the dashboards'
channel and callback summaries (``performance.reports.summary``), timed, in a child process on the built data.
"""

import json
import subprocess
import sys
import time

from bench import db, server
from bench.ops import pages

NAME = "branch_dashboard"
_refresh_s = {}


def measure_ours(*_args: str) -> dict:
    """Child process (``bench.worker``): the nightly summary refreshes the dashboard reads."""
    from performance.reports import summary

    timings = {}
    started = time.perf_counter()
    summary.refresh_recent_tier_summaries(months=24)
    timings["tier_summary_24_months_s"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    summary.refresh_callback_summary()
    timings["callback_summary_s"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    summary.refresh_dashboard_summaries()
    timings["channel_and_callback_summaries_s"] = round(time.perf_counter() - started, 2)
    return timings


def settle(template: str) -> None:
    out = subprocess.run([sys.executable, "-m", "bench.worker", NAME], env=server.server_env(template), check=True,
                         capture_output=True, text=True, cwd=server.ROOT)
    _refresh_s[template] = json.loads(out.stdout.strip().splitlines()[-1])
    with db.connect(template) as conn, conn.cursor() as cur:
        cur.execute("ANALYZE")


def run(ctx) -> dict:
    rows = pages.measure(ctx["template"])
    row = rows["pages:branch_manager:/performance/dashboard/"]
    others = "; ".join(f"{key.removeprefix('pages:')} p95 {rows[key]['p95_ms']:.1f} ms"
                       for key in ("pages:head_office:/performance/dashboard/", "pages:branch_manager:/api/v1/dashboard/",
                                   "pages:head_office:/api/v1/dashboard/") if rows[key]["p95_ms"] is not None)
    refresh = _refresh_s.get(ctx["template"])
    nightly = f"; nightly summaries {refresh}" if refresh else ""
    return {**row, "detail": f"branch manager, HTML with all charts' data: {row['detail']}; {others}{nightly}"}
