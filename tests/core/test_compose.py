from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def load():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_the_five_services():
    assert set(load()["services"]) == {"web", "worker", "beat", "db", "redis"}


def test_each_service_runs_the_right_process():
    services = load()["services"]
    assert "gunicorn wealthcrm.wsgi:application" in services["web"]["command"]
    assert "migrate" in services["web"]["command"]
    assert services["worker"]["command"].startswith("celery -A wealthcrm worker")
    assert services["beat"]["command"].startswith("celery -A wealthcrm beat")
    assert services["db"]["image"] == "postgres:16"
    assert services["redis"]["image"].startswith("redis:7")


def test_app_services_point_at_the_compose_database_and_broker():
    services = load()["services"]
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://") and "@db:5432/" in env["DATABASE_URL"]
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        assert env["DEBUG"] == "0"
        assert services[name]["depends_on"]["db"]["condition"] == "service_healthy"


def test_dockerfile_builds_the_project_and_serves_with_gunicorn():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install ." in dockerfile
    assert "collectstatic" in dockerfile
    assert "gunicorn" in dockerfile
