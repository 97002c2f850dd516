"""The README's quickstart path on embedded PostgreSQL and Redis with a real Celery worker.

Runs the real processes in a scratch folder: start the embedded servers, migrate, seed, start a worker and the
web server, sign in (token and session), queue the tier recompute through the API, follow the task until the
worker has run it, open home.
"""

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout=60, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")

# Operations' token: /health/ shows its details only with it (API.md "Security").
HEALTH_TOKEN = "ops-token-for-tests-" + "0" * 30


@pytest.fixture
def embedded_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "TEST_DATABASE_NAME")}
    env.update(DEBUG="1", WEALTHCRM_LOCAL_DIR=str(tmp_path / "local"), HEALTH_TOKEN=HEALTH_TOKEN)
    started = subprocess.run([sys.executable, "-m", "wealthcrm.localservices", "start"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=120)
    assert started.returncode == 0, started.stderr
    for key, value in re.findall(r"export (\w+)='([^']*)'", started.stdout):
        env[key] = value
    assert env["DATABASE_URL_SOURCE"] == "embedded" and env["REDIS_URL_SOURCE"] == "embedded"
    assert env["REDIS_URL"].startswith("redis+socket://")
    yield env
    subprocess.run([sys.executable, "-m", "wealthcrm.localservices", "stop"], cwd=ROOT, env=env, timeout=60)


def test_quickstart_on_embedded_services(embedded_env):
    env = embedded_env

    def manage(*args):
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                                text=True, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    manage("migrate", "--noinput")
    assert "WealthDemo-2026" in manage("seed_demo", "--clients", "40")

    port = free_port()
    procs = [
        subprocess.Popen([sys.executable, "-m", "celery", "-A", "wealthcrm", "worker", "--pool=solo",
                          "--loglevel=WARNING"], cwd=ROOT, env=env),
        subprocess.Popen([sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"], cwd=ROOT,
                         env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
    ]
    base = f"http://127.0.0.1:{port}"
    try:
        def health():
            try:
                request = urllib.request.Request(f"{base}/health/", headers={"X-Health-Token": HEALTH_TOKEN})
                with urllib.request.urlopen(request, timeout=2) as response:
                    return json.load(response)
            except OSError:
                return None

        body = wait_for(health, what="the web server")
        assert body["database"]["ok"] and body["broker"]["ok"]

        token_request = urllib.request.Request(
            f"{base}/api/v1/auth/token/", data=json.dumps({"username": "ho_chen", "password": "WealthDemo-2026"}).encode(),
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(token_request, timeout=10) as response:
            token = json.load(response)["token"]

        recompute = urllib.request.Request(f"{base}/api/v1/tiers/recompute/", data=b"{}", method="POST",
                                           headers={"Authorization": f"Token {token}",
                                                    "Content-Type": "application/json"})
        with urllib.request.urlopen(recompute, timeout=10) as response:
            task_id = json.load(response)["task_id"]

        def task_done():
            request = urllib.request.Request(f"{base}/api/v1/tasks/{task_id}/",
                                             headers={"Authorization": f"Token {token}"})
            with urllib.request.urlopen(request, timeout=5) as response:
                state = json.load(response)
            assert state["state"] not in ("FAILURE", "REVOKED"), state
            return state if state["state"] == "SUCCESS" else None

        assert wait_for(task_done, what="the worker to run the task")["progress"] == 100

        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        browser.open(f"{base}/login/", timeout=10).read()
        csrf = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
        form = urllib.parse.urlencode({"username": "bj01_adv1", "password": "WealthDemo-2026",
                                       "csrfmiddlewaretoken": csrf}).encode()
        browser.open(urllib.request.Request(f"{base}/login/", data=form, headers={"Referer": f"{base}/login/"}),
                     timeout=10).read()
        with browser.open(f"{base}/", timeout=10) as response:
            home = response.read().decode()
            assert response.url.rstrip("/") == base
        assert "财富顾问" in home and "退出" in home
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)
