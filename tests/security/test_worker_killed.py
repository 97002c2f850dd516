"""Issue 19 item 6 with real processes: a Celery worker killed (SIGKILL) in the middle of the tier recompute.

The message is acknowledged late, so it stays unacknowledged in Redis; once its visibility timeout has passed, the
next worker restores it and runs the task again. The run converges: one tier change per client, never two, because
the killed run's transaction died with its connection. The visibility timeout is shortened for this test only
(production: 600 s, settings.py).
"""

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings

from clients.models import Client
from tests.core.test_quickstart import wait_for
from tests.factories import ClientFactory
from tests.servers import database_url, redis_url
from tiers.choices import RunStatus
from tiers.models import TierChange, TierRun
from tiers.services import RECOMPUTE_LOCK_KEY
from wealthcrm.celery import app
from wealthcrm.tiering import Tier

ROOT = Path(__file__).resolve().parents[2]
# A Redis database of this test's own: its worker never takes a task queued by the rest of the suite.
KILL_TEST_REDIS_DB = 13
VISIBILITY_TIMEOUT = 2


def start_worker(env, log):
    return subprocess.Popen([sys.executable, "-m", "celery", "-A", "wealthcrm", "worker", "--pool", "solo",
                             "--loglevel", "INFO", "--without-heartbeat", "--without-gossip", "--without-mingle"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def waiting_on_the_recompute_lock(db) -> bool:
    with db.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
                       "AND objid = %s", [RECOMPUTE_LOCK_KEY & 0xFFFFFFFF])
        return cursor.fetchone()[0] > 0


# send_task goes through the broker whatever task_always_eager says, which is the point here.
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
# serialized_rollback: the flush after a transactional test would otherwise drop the default tier policy.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_mid_recompute_is_redelivered_and_converges(bank, tmp_path):
    ClientFactory.create_batch(5, org_unit=bank.north_sub, aum="200000000.00")
    broker = redis_url(KILL_TEST_REDIS_DB)
    env = {k: v for k, v in os.environ.items() if k != "CELERY_TASK_ALWAYS_EAGER"}
    env.update(DATABASE_URL=database_url(settings.DATABASES["default"]["NAME"]), REDIS_URL=broker,
               SECRET_KEY=settings.SECRET_KEY, FIELD_ENCRYPTION_KEY=settings.FIELD_ENCRYPTION_KEY,
               CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT), LOG_LEVEL="INFO")
    with app.connection_for_write(broker) as connection:
        connection.default_channel.client.flushdb()
        # Sent as the nightly beat sends it (the rest of the suite runs tasks in process).
        app.send_task("tiers.tasks.recompute_tiers_task", kwargs={"as_of": date(2026, 3, 31).isoformat()},
                      connection=connection)

    # Hold the recompute's advisory lock so the first worker is caught inside the task, lock requested.
    holder = psycopg2.connect(env["DATABASE_URL"])
    holder.autocommit = True
    watcher = psycopg2.connect(env["DATABASE_URL"])
    watcher.autocommit = True
    log = open(tmp_path / "worker.log", "w")
    first = second = None
    try:
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [RECOMPUTE_LOCK_KEY])
        first = start_worker(env, log)
        wait_for(lambda: waiting_on_the_recompute_lock(watcher), timeout=90, what="the worker to start the task")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [RECOMPUTE_LOCK_KEY])
        assert not TierRun.objects.exists()  # the killed run left nothing behind

        time.sleep(VISIBILITY_TIMEOUT + 1)  # the unacknowledged message becomes visible again
        second = start_worker(env, log)
        wait_for(lambda: TierRun.objects.filter(status=RunStatus.DONE).exists(), timeout=90,
                 what=f"the redelivered task to run:\n{(tmp_path / 'worker.log').read_text()[-3000:]}")
    finally:
        for worker in (first, second):
            if worker and worker.poll() is None:
                worker.terminate()
                worker.wait(timeout=30)
        holder.close()
        watcher.close()
        with app.connection_for_write(broker) as connection:
            connection.default_channel.client.flushdb()

    run = TierRun.objects.get()
    assert (run.status, run.upgrades) == (RunStatus.DONE, 5)
    assert TierChange.objects.count() == 5
    assert set(Client.objects.values_list("tier", flat=True)) == {Tier.HEAD_OFFICE}
