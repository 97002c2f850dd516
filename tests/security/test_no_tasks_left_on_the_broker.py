"""Issue 19 item 7: the suite left real tasks on the broker (a worker started later ran six tier recomputes
against the demo data). In this process tasks run eagerly (tests/conftest.py); a real worker is only ever asked
for by the tests that start their own servers."""

import pytest
import redis
from django.conf import settings

from wealthcrm.celery import app

pytestmark = pytest.mark.django_db


def queued() -> int:
    return redis.Redis.from_url(settings.CELERY_BROKER_URL).llen(app.conf.task_default_queue)


def test_starting_a_recompute_in_a_test_leaves_nothing_on_the_broker(bank, api_as):
    before = queued()
    response = api_as(bank.head_office).post("/api/v1/tiers/recompute/", {}, format="json")
    assert response.status_code == 202
    assert queued() == before == 0
