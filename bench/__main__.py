"""``python -m bench [--clients N] [--only NAME,...] [--json PATH] [--reuse]`` (PERFORMANCE.md "Protocol")."""

import argparse
import json
import os
import platform
import sys
import time
from datetime import datetime
from pathlib import Path

from bench import data, db, server
from bench.ops import OPERATIONS

RESULTS = Path(__file__).resolve().parent / "results" / "latest.md"
FIELDS = ["ours_s", "floor_s", "ratio", "p95_ms", "peak_rss_mb", "errors"]


def prepare(clients: int, template: str) -> dict:
    started = time.perf_counter()
    db.recreate(template)
    db.migrate(template)
    with db.connect(template) as conn:
        counts = data.build(conn, clients=clients)
    counts["data_s"] = round(time.perf_counter() - started, 1)
    for module in OPERATIONS.values():
        if hasattr(module, "settle"):
            module.settle(template)
    counts["build_s"] = round(time.perf_counter() - started, 1)
    return counts


def table(results: dict, meta: dict) -> str:
    def fmt(value, digits=2):
        return "—" if value is None else (f"{value:.{digits}f}" if isinstance(value, float) else str(value))

    counts = ", ".join(f"{meta[key]:,} {label}" for key, label in (
        ("org_units", "org units"), ("advisors", "advisors"), ("staff", "staff in all"),
        ("households", "households"), ("companies", "companies"), ("snapshots", "AUM snapshots"),
        ("contacts", "contacts"), ("referrals", "referrals"), ("tier_changes", "tier changes"),
        ("audit_events", "audit events"), ("sales", "sales")) if key in meta)
    lines = [
        f"# Benchmark results — {meta['clients']:,} clients",
        "",
        f"{meta['when']} · {meta['machine']} · load average {meta['load']} · data built in {meta['build_s']} s "
        + (f"({meta['data_s']} s for the data set, the rest the operations' own setup: a night's recompute, the "
           "month's KPI inputs, the nightly summaries) " if meta.get("data_s") else "")
        + f"with COPY and INSERT … SELECT ({counts})",
        "",
        *([f"Build phases (s): {', '.join(f'{k} {v}' for k, v in meta['phases_s'].items())}", ""]
          if meta.get("phases_s") else []),
        "| operation | ours_s | floor_s | ratio | p95_ms | peak_rss_mb | errors | notes |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, row in results.items():
        lines.append(f"| {name} | {fmt(row['ours_s'], 3)} | {fmt(row['floor_s'], 3)} | {fmt(row['ratio'])} | "
                     f"{fmt(row['p95_ms'])} | {fmt(row['peak_rss_mb'], 1)} | {fmt(row['errors'])} | {row.get('detail', '')} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--clients", type=int, default=20_000, help="number of clients (default 20,000: under a minute)")
    parser.add_argument("--only", default="", help="comma-separated operations: " + ", ".join(OPERATIONS))
    parser.add_argument("--json", dest="json_path", help="also write {NAME: {ours_s, floor_s, ratio, ...}} here")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse the benchmark database of an earlier --keep/--reuse run at the same --clients "
                             "(migrated forward, not rebuilt); implies --keep")
    args = parser.parse_args(argv)
    names = [n for n in args.only.split(",") if n] or list(OPERATIONS)
    unknown = set(names) - set(OPERATIONS)
    if unknown:
        parser.error(f"unknown operation(s): {', '.join(sorted(unknown))}")

    # Every child process (migrate, the server, workers, imports) reads the data set's personal data, encrypted under
    # the benchmark's own key, so a plain shell runs the benchmark without the app's secrets exported.
    os.environ["FIELD_ENCRYPTION_KEY"] = data.FIELD_KEY
    os.environ.setdefault("SECRET_KEY", server.SECRET_KEY)
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")  # like DATABASE_URL's default: a local server
    meta = db.read_meta(db.BASE) if args.reuse else None
    if meta and meta.get("clients") != args.clients:
        # Rebuilding would replace a kept data set that took most of an hour to build.
        parser.error(f"{db.BASE} holds {meta['clients']:,} clients, not {args.clients:,}: pass --clients "
                     f"{meta['clients']}, or BENCH_DB=<another name> for a new build")
    if meta:
        print(f"… reusing {db.BASE} ({args.clients:,} clients, built earlier)", file=sys.stderr)
        db.migrate(db.BASE)  # e.g. a new index since the build
    else:
        meta = prepare(args.clients, db.BASE)
        db.write_meta(db.BASE, meta)
    meta.update(when=datetime.now().strftime("%Y-%m-%d %H:%M"), machine=f"{platform.machine()}, {_cpus()} CPU")
    results = {}
    loads = [_load()]
    for name in names:
        print(f"… {name}", file=sys.stderr)
        result = OPERATIONS[name].run({"template": db.BASE, "clients": args.clients})
        results.update(result["rows"] if "rows" in result else {name: result})
    meta["load"] = f"{loads[0]} before, {_load()} after the measurements (1/5/15 min)"
    text = table(results, meta)
    print(text)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    if args.json_path:
        Path(args.json_path).write_text(json.dumps(
            {name: {field: row.get(field) for field in FIELDS} for name, row in results.items()}, indent=2))
    if not (args.keep or args.reuse):
        db.drop(db.BASE)
    return 0


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _cpus() -> int:
    return os.cpu_count() or 1


if __name__ == "__main__":
    sys.exit(main())
