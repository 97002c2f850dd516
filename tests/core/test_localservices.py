"""Which servers the test command uses (README): configured → localhost → embedded; never a silent switch."""

import os
import subprocess
import sys
from pathlib import Path

from tests.core.test_quickstart import free_port

ROOT = Path(__file__).resolve().parents[2]


def pick(**env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(env_overrides)
    return subprocess.run([sys.executable, "-m", "wealthcrm.localservices", "pick-test"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_a_configured_database_that_does_not_answer_is_an_error():
    result = pick(DATABASE_URL=f"postgres://postgres@127.0.0.1:{free_port()}/wealthcrm")
    assert result.returncode == 1
    assert "DATABASE_URL is set but the server does not answer" in result.stderr
    assert "export" not in result.stdout


def test_a_configured_redis_that_does_not_answer_is_an_error():
    result = pick(DATABASE_URL=os.environ["DATABASE_URL"], REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    assert result.returncode == 1
    assert "REDIS_URL is set but the server does not answer" in result.stderr


def test_configured_servers_are_used_and_named():
    result = pick(DATABASE_URL=os.environ["DATABASE_URL"], REDIS_URL=os.environ["REDIS_URL"])
    assert result.returncode == 0, result.stderr
    assert "export DB_SOURCE='configured'" in result.stdout
    assert "export REDIS_SOURCE='configured'" in result.stdout


def test_a_failed_database_check_starts_no_embedded_redis(tmp_path):
    """``start`` used to start the embedded Redis before checking DATABASE_URL, and left it running."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(WEALTHCRM_LOCAL_DIR=str(tmp_path), DATABASE_URL=f"postgres://postgres@127.0.0.1:{free_port()}/x")
    result = subprocess.run([sys.executable, "-m", "wealthcrm.localservices", "start"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert not (tmp_path / "redis" / "redis.pid").exists()


def test_the_test_command_stops_the_embedded_servers_it_started():
    """bin/test used to leave them running; it stops what it started (and only that) however pytest ends."""
    script = (ROOT / "bin" / "test").read_text()
    assert "trap stop_started EXIT" in script
    assert '"${POSTGRES_STARTED:-0}" = 1' in script and '"${REDIS_STARTED:-0}" = 1' in script


def test_pick_test_says_whether_it_started_an_embedded_redis(tmp_path):
    result = pick(DATABASE_URL=os.environ["DATABASE_URL"], WEALTHCRM_LOCAL_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    if "REDIS_SOURCE='embedded'" in result.stdout:  # no Redis on localhost: it started one, and says so
        assert "export REDIS_STARTED='1'" in result.stdout
        subprocess.run([sys.executable, "-m", "wealthcrm.localservices", "stop", "redis"], cwd=ROOT,
                       env={**os.environ, "WEALTHCRM_LOCAL_DIR": str(tmp_path)}, timeout=60)
