"""A real HTTP server (gunicorn, as in production) on a benchmark database, API users with tokens, and timing.

The API operations are measured through ``gunicorn wealthcrm.wsgi -w 2`` (2-core target machine) with
``DEBUG=0``, so the figures include WSGI, middleware, authentication, DRF and JSON rendering, like a client sees.
"""

import hashlib
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from bench import data, db

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("BENCH_PORT", "8765"))
# One secret per harness run: sessions made by a child process (``pages``) must be valid in the server.
SECRET_KEY = secrets.token_urlsafe(60)
_master_pid = None   # the running gunicorn, for its workers' peak RSS


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))]


def add_user(cur, *, username: str, role: str, org_unit_id: int | None) -> tuple[int, str]:
    """A member of staff with an API token (no usable password: the bench signs in by token only)."""
    cur.execute("""INSERT INTO org_staff (password, is_superuser, username, first_name, last_name, email, is_staff,
                   is_active, date_joined, display_name, role, org_unit_id)
                   VALUES ('!', false, %s, '', '', '', false, true, now(), %s, %s, %s) RETURNING id""",
                [username, username, role, org_unit_id])
    staff_id = cur.fetchone()[0]
    return staff_id, add_token(cur, staff_id)


def add_token(cur, staff_id: int) -> str:
    key = secrets.token_hex(20)
    # Stored as its digest, as org.services.issue_api_token does.
    cur.execute("INSERT INTO org_apitoken (digest, staff_id, created_at, last_used_at) VALUES (%s, %s, now(), now())",
                [hashlib.sha256(key.encode()).hexdigest(), staff_id])
    return key


def server_env(name: str) -> dict:
    """The production-like environment of the benchmark's server (and of child processes that share its secrets):
    the data set's personal data is encrypted under ``bench.data.FIELD_KEY``."""
    return {**os.environ, "DATABASE_URL": db.url_for(name), "DEBUG": "0", "SECURE_SSL_REDIRECT": "0",
            "SECRET_KEY": SECRET_KEY, "FIELD_ENCRYPTION_KEY": data.FIELD_KEY, "LOG_LEVEL": "WARNING"}


def workers_peak_rss_mb() -> float | None:
    """The largest peak RSS (VmHWM) among the running server's gunicorn workers (read while they still run)."""
    peaks = []
    for pid in _children(_master_pid) if _master_pid else []:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        peaks += [int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM:")]
    return round(max(peaks), 1) if peaks else None


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@contextmanager
def server(name: str, *, workers: int = 2):
    """``gunicorn wealthcrm.wsgi -w <workers>`` on database ``name``; yields the port once it answers."""
    # DEBUG=0 serves hashed static files from the collected manifest, as in production (git-ignored staticfiles/).
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
                   cwd=ROOT, env=server_env(name), check=True)
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "wealthcrm.wsgi", "-w", str(workers),
                             "-b", f"127.0.0.1:{PORT}", "--log-level", "warning"],
                            cwd=ROOT, env=server_env(name), start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", PORT), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        global _master_pid
        _master_pid = proc.pid
        yield PORT
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Api:
    """One API client (its own connection and token), like one user's browser or app."""

    def __init__(self, token: str, port: int = PORT):
        self.token, self.port = token, port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, url: str, body=None) -> tuple[int, dict | None, float]:
        headers = {"Authorization": f"Token {self.token}", "Accept": "application/json"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        try:
            self.conn.request(method, url, body=payload, headers=headers)
            response = self.conn.getresponse()
            raw = response.read()
        except (http.client.HTTPException, OSError):
            self.conn.close()  # the sync worker closed the connection: open a new one, as a browser would
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.conn.request(method, url, body=payload, headers=headers)
            response = self.conn.getresponse()
            raw = response.read()
        seconds = time.perf_counter() - started
        try:
            data = json.loads(raw) if raw else None
        except ValueError:
            data = None
        return response.status, data, seconds
