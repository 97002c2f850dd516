"""AUM snapshot import of a one-row-per-client CSV through the real import path.

Ours: what ``manage.py import_file --kind aum_snapshots <csv>`` does (an ImportJob, then
``clients.imports.run_import``), in a child process whose peak RSS is reported. The floor, on a fresh copy of
the same data: ``COPY`` the file into a staging table, then one ``INSERT ... SELECT ... ON CONFLICT`` into the
snapshots and one ``UPDATE`` of the clients' current AUM — the same end state by hand-written SQL.
"""

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import db

NAME = "aum_import"
RUN_DB = db.RUN
AS_OF = "2026-04-30"

_FLOOR = [
    "CREATE TEMP TABLE staging (client_no text, as_of date, aum numeric(20, 2))",
    "COPY staging FROM STDIN WITH (FORMAT csv, HEADER true)",
    """INSERT INTO clients_aumsnapshot (client_id, as_of, aum)
       SELECT c.id, s.as_of, s.aum FROM staging s JOIN clients_client c ON c.client_no = s.client_no
       ON CONFLICT (client_id, as_of) DO UPDATE SET aum = EXCLUDED.aum
         WHERE clients_aumsnapshot.aum IS DISTINCT FROM EXCLUDED.aum""",
    """UPDATE clients_client c SET aum = s.aum, aum_as_of = s.as_of, updated_at = now()
       FROM staging s WHERE c.client_no = s.client_no
         AND (c.aum_as_of IS NULL OR c.aum_as_of <= s.as_of)
         AND (c.aum IS DISTINCT FROM s.aum OR c.aum_as_of IS DISTINCT FROM s.as_of)""",
]


def _write_csv(path: Path, clients: int) -> None:
    rng = random.Random(430)
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("client_no,as_of,aum\n")
        for start in range(1, clients + 1, 10000):
            fh.write("".join(f"C{cid:010d},{AS_OF},{rng.lognormvariate(14.9, 1.2):.2f}\n"
                             for cid in range(start, min(start + 10000, clients + 1))))


def _floor(template: str, csv: Path) -> tuple[float, float, int]:
    db.recreate(RUN_DB, template=template)
    with db.connect(RUN_DB, autocommit=False) as conn, conn.cursor() as cur:
        started = time.perf_counter()
        cur.execute(_FLOOR[0])
        with csv.open("rb") as fh:
            cur.copy_expert(_FLOOR[1], fh)
        copy_s = time.perf_counter() - started
        cur.execute(_FLOOR[2])
        rows = cur.rowcount
        insert_s = time.perf_counter() - started - copy_s
        cur.execute(_FLOOR[3])
        conn.commit()
        return time.perf_counter() - started, (copy_s, insert_s), rows


def _ours(template: str, csv: Path, media: str) -> dict:
    db.recreate(RUN_DB, template=template)
    env = {**os.environ, "DATABASE_URL": db.url_for(RUN_DB), "MEDIA_ROOT": media}
    out = subprocess.run([sys.executable, "-m", "bench.worker", NAME, str(csv)], env=env, check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(ctx) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench_aum_") as tmp:
        csv = Path(tmp) / f"aum_{AS_OF}.csv"
        _write_csv(csv, ctx["clients"])
        ours = _ours(ctx["template"], csv, str(Path(tmp) / "media"))
        floor_s, copy_s, floor_rows = _floor(ctx["template"], csv)
        size_mb = csv.stat().st_size / 1e6
    db.drop(RUN_DB)
    errors = int(ours["status"] != "done") + ours["row_errors"] + int(ours["created"] != floor_rows)
    return {"ours_s": ours["seconds"], "floor_s": floor_s, "ratio": ours["seconds"] / floor_s, "p95_ms": None,
            "peak_rss_mb": ours["peak_rss_mb"], "errors": errors,
            "detail": f"{ours['created']:,} snapshots created ({size_mb:.0f} MB CSV); floor: COPY {copy_s[0]:.2f}s "
                      f"+ snapshot upsert {copy_s[1]:.2f}s + client AUM update "
                      f"{floor_s - sum(copy_s):.2f}s; ours status {ours['status']}"}


def measure_ours(csv_path: str) -> dict:
    """Runs in the child process (``bench.worker``): exactly what ``manage.py import_file`` does."""
    from django.core.files import File
    from django.db import connection

    from clients import imports
    from clients.models import ImportJob

    connection.ensure_connection()
    source = Path(csv_path)
    started = time.perf_counter()
    with source.open("rb") as fh:
        job = ImportJob(kind="aum_snapshots", original_name=source.name)
        job.file.save(source.name, File(fh), save=False)
        job.save()
    job = imports.run_import(job_id=job.pk)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "status": job.status, "created": job.created, "row_errors": len(job.errors),
            "message": job.message}
