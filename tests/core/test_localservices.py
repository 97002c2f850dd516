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
