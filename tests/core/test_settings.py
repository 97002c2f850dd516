"""Settings refuse unsafe production start-ups; a subprocess imports them with a controlled environment."""

import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "k3J9-vQ2_xL7pR4tY8wE1zN6mB0cF5hG2jK7lP9sD4aQ8uI3oV6yT1rW5eX0nM2bZ"


def run_settings(**env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "FIELD_ENCRYPTION_KEY", "DEBUG")}
    env.update(env_overrides)
    code = "import django; from django.conf import settings; django.setup(); print('started')"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "wealthcrm.settings"},
                          capture_output=True, text=True, timeout=120)


def test_debug_off_without_secret_key_refuses_to_start():
    result = run_settings(DEBUG="0", FIELD_ENCRYPTION_KEY=Fernet.generate_key().decode())
    assert result.returncode != 0
    assert "SECRET_KEY is missing or weak" in result.stderr


def test_debug_off_with_a_weak_secret_key_refuses_to_start():
    result = run_settings(DEBUG="0", SECRET_KEY="secret", FIELD_ENCRYPTION_KEY=Fernet.generate_key().decode())
    assert result.returncode != 0
    assert "SECRET_KEY is missing or weak" in result.stderr


def test_debug_off_without_field_encryption_key_refuses_to_start():
    result = run_settings(DEBUG="0", SECRET_KEY=STRONG_KEY)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEY is missing" in result.stderr


def test_debug_off_with_real_secrets_passes_the_deploy_check():
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG",)}
    env.update(DEBUG="0", SECRET_KEY=STRONG_KEY, FIELD_ENCRYPTION_KEY=Fernet.generate_key().decode(),
               ALLOWED_HOSTS="crm.bank.example")
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr


def test_settings_follow_the_bank(settings):
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def test_settings_read_the_environment_only(tmp_path):
    """Importing settings never starts a server or writes a file: bin/run and bin/test do that and export URLs."""
    local = tmp_path / "local"
    result = run_settings(WEALTHCRM_LOCAL_DIR=str(local), DEBUG="1", DATABASE_URL="", REDIS_URL="",
                          SECRET_KEY=STRONG_KEY, FIELD_ENCRYPTION_KEY=Fernet.generate_key().decode())
    assert result.returncode != 0
    assert "DATABASE_URL is not set" in result.stderr
    assert not local.exists()


def test_development_secrets_come_from_the_run_and_test_commands(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "FIELD_ENCRYPTION_KEY")}
    env.update(DEBUG="1", WEALTHCRM_LOCAL_DIR=str(tmp_path / "local"))
    first, second = (subprocess.run([sys.executable, "-m", "wealthcrm.localservices", "pick-test"], cwd=ROOT,
                                    env=env, capture_output=True, text=True, timeout=120) for _ in range(2))
    assert first.returncode == 0, first.stderr
    assert "export SECRET_KEY=" in first.stdout and "export FIELD_ENCRYPTION_KEY=" in first.stdout
    assert first.stdout == second.stdout  # generated once, then reused


def test_test_settings_live_in_one_place(settings):
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]
