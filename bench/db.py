"""The benchmark's own databases on the server of DATABASE_URL: never the dev or test database."""

import json
import os
import subprocess
import sys
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg2

# The built data set and the per-operation copies made from it; BENCH_DB renames both (several people can run
# the benchmark on one server without dropping each other's databases).
BASE = os.environ.get("BENCH_DB", "wealthcrm_bench")
RUN = f"{BASE}_run"


def server_url() -> str:
    return os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/wealthcrm")


def url_for(name: str) -> str:
    parts = urlsplit(server_url())
    return urlunsplit(parts._replace(path=f"/{name}"))


@contextmanager
def connect(name: str, *, autocommit: bool = True):
    conn = psycopg2.connect(url_for(name))
    conn.autocommit = autocommit
    try:
        yield conn
    finally:
        conn.close()


def recreate(name: str, *, template: str | None = None) -> None:
    with connect("postgres") as conn, conn.cursor() as cur:
        cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                    [name])
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def drop(name: str) -> None:
    with connect("postgres") as conn, conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')


def migrate(name: str) -> None:
    """Run the project's migrations on ``name`` in a child process (Django binds one database per process)."""
    env = {**os.environ, "DATABASE_URL": url_for(name)}
    subprocess.run([sys.executable, "manage.py", "migrate", "--verbosity", "0"], env=env, check=True)


def write_meta(name: str, meta: dict) -> None:
    """Remember what a built database holds (for ``--reuse``), as the database's comment."""
    with connect(name) as conn, conn.cursor() as cur:
        cur.execute(f'COMMENT ON DATABASE "{name}" IS %s', [json.dumps(meta)])


def read_meta(name: str) -> dict | None:
    with connect("postgres") as conn, conn.cursor() as cur:
        cur.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name])
        row = cur.fetchone()
    try:
        return json.loads(row[0]) if row and row[0] else None
    except ValueError:
        return None
