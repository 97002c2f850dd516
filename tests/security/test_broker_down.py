"""Issue 19 item 6: with Redis down, starting a recompute or asking a task's state answered 500. It is a 503
with a clear message; and a killed worker's task is redelivered within minutes, not an hour."""

import pytest
from celery.result import AsyncResult
from kombu.exceptions import OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError

from tiers import tasks
from wealthcrm.celery import app

pytestmark = pytest.mark.django_db


def refuse(*args, **kwargs):
    raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def test_starting_a_recompute_with_the_broker_down_is_503(bank, api_as, web_as, monkeypatch):
    monkeypatch.setattr(tasks.recompute_tiers_task, "delay", refuse)
    response = api_as(bank.head_office).post("/api/v1/tiers/recompute/", {}, format="json")
    assert response.status_code == 503
    assert response.json() == {"detail": "后台任务暂不可用，请稍后再试。"}


def test_the_recompute_button_with_the_broker_down_is_a_503_page(bank, web_as, monkeypatch):
    monkeypatch.setattr(tasks.recompute_tiers_task, "delay", refuse)
    response = web_as(bank.head_office).post("/tiers/recompute/")
    assert response.status_code == 503
    assert "后台任务暂不可用" in response.content.decode()


def test_task_status_with_the_result_store_down_is_503(bank, api_as, monkeypatch):
    def down(self):
        raise RedisConnectionError("Connection refused")

    monkeypatch.setattr(AsyncResult, "state", property(down))
    response = api_as(bank.head_office).get("/api/v1/tasks/abc/")
    assert response.status_code == 503
    assert "后台任务暂不可用" in response.json()["detail"]


def test_a_killed_workers_task_is_redelivered_within_minutes():
    assert app.conf.broker_transport_options["visibility_timeout"] <= 15 * 60
    assert tasks.recompute_tiers_task.acks_late and app.conf.task_reject_on_worker_lost
