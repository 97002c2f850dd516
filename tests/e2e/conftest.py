"""Browser journeys: the real app (gunicorn, DEBUG=0, a real Celery worker) on its own PostgreSQL database with the
demo bank, driven by Debian's Chromium through Playwright.

The app runs in subprocesses, as in production, on a database of its own (``<test database>_e2e``) so that the
journeys neither see nor leave rows in the database the rest of the suite shares. Nothing here uses pytest-django's
database fixtures. Screenshots go to the git-ignored ``test-output/e2e/``.
"""

import os
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psycopg2
import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from psycopg2 import sql

from tests.core.test_quickstart import free_port
from tests.servers import database_url, redis_url

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
DEMO_PASSWORD = "WealthDemo-2026"
# The journeys' own Redis database, so their worker never takes a task queued by the rest of the suite.
E2E_REDIS_DB = 15


def _admin_connection():
    db = settings.DATABASES["default"]
    conn = psycopg2.connect(dbname="postgres", user=db["USER"] or "postgres", password=db["PASSWORD"] or None,
                            host=db["HOST"] or None, port=db["PORT"] or None)
    conn.autocommit = True
    return conn


def _wait_until_serving(url: str, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app server exited:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/login/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the app server did not answer within {timeout} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def app_server(tmp_path_factory):
    """Base URL of the running app; also ``.db`` (a psycopg2 connection to its database) and ``.env``."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: bin/test installs Debian's chromium and fonts-wqy-microhei "
                    "(run it as root with Debian's packages reachable, or set CHROMIUM)")
    name = f"{settings.DATABASES['default']['NAME']}_e2e"[:63]
    admin = _admin_connection()
    with admin.cursor() as cur:
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    work = tmp_path_factory.mktemp("e2e")
    env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_NAME", "CELERY_TASK_ALWAYS_EAGER")}
    env.update(DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50), FIELD_ENCRYPTION_KEY=Fernet.generate_key().decode(),
               SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="0", DATABASE_URL=database_url(name),
               REDIS_URL=redis_url(E2E_REDIS_DB), STATIC_ROOT=str(work / "static"), MEDIA_ROOT=str(work / "media"),
               ALLOWED_HOSTS="127.0.0.1,localhost", LOG_LEVEL="WARNING")

    def manage(*args):
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                                text=True, timeout=600)
        assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout[-2000:]}{result.stderr[-3000:]}"

    manage("migrate", "--noinput", "-v0")
    manage("seed_demo")
    manage("collectstatic", "--noinput", "-v0")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = work / "server.log"
    with open(log, "w") as out:
        web = subprocess.Popen([sys.executable, "-m", "gunicorn", "wealthcrm.wsgi:application", "--bind",
                                f"127.0.0.1:{port}", "--workers", "2", "--timeout", "60"],
                               cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "wealthcrm", "worker", "--pool", "solo",
                                   "--loglevel", "WARNING", "--without-heartbeat", "--without-gossip",
                                   "--without-mingle"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    db = psycopg2.connect(env["DATABASE_URL"])
    db.autocommit = True
    try:
        _wait_until_serving(url, web, log)
        yield type("App", (), {"url": url, "db": db, "env": env, "log": log})
    finally:
        db.close()
        for process in (web, worker):
            process.terminate()
        for process in (web, worker):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        with admin.cursor() as cur:
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.close()


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()


@pytest.fixture
def open_page(chromium, app_server, request):
    """``open_page(username, viewport=None)`` → a signed-in Playwright page in its own browser context.

    Any page error (an uncaught script error, or a resource the CSP blocked) fails the journey.
    """
    contexts = []
    errors = []

    def make(username, *, viewport=None):
        context = chromium.new_context(base_url=app_server.url, locale="zh-CN",
                                       viewport=viewport or {"width": 1366, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.set_default_timeout(15_000)
        if username:
            page.goto("/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", DEMO_PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(lambda url: "/login/" not in url)
        return page

    yield make
    for context in contexts:
        context.close()
    # 404s are part of journey 5; other console errors are defects.
    unexpected = [e for e in errors if "404" not in e]
    assert not unexpected, unexpected
