"""Issue 19 "Faults" for imports: a job whose worker died is resumed by the periodic check and changes nothing
twice; an import uploaded while Redis is down runs once Redis is back (the outbox, swept by beat)."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from clients import imports
from clients.imports import job as import_job
from clients.models import AumSnapshot, Client, ImportJob
from clients.tasks import check_imports
from wealthcrm.celery import app
from wealthcrm.outbox import services as outbox
from wealthcrm.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db


class WorkerDied(BaseException):
    """What a killed worker looks like from the job's side: nothing after this point runs."""


def _aum_file(bank, rows=25):
    for no in ("0001", "0002"):
        Client.objects.create(client_no=no, name="客户" + no, org_unit=bank.north_sub, advisor=bank.advisor)
    lines = ["客户号,日期,金融资产"]
    for day in range(1, rows + 1):
        lines.append(f"000{1 + day % 2},2026-01-{day:02d},{day}00")
    lines[3] = "0009,2026-01-03,1"  # one bad row in the first chunk: reported once, however many runs
    return ("\n".join(lines) + "\n").encode()


def _upload(content, kind="aum_snapshots"):
    """An upload whose message reached a worker (the outbox sent it)."""
    job = imports.create_import_job(kind=kind, uploaded_file=SimpleUploadedFile("aum.csv", content), actor=None)
    OutboxMessage.objects.update(sent_at=timezone.now())
    return job


def _age(job, seconds=3600):
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=seconds),
                                               created_at=timezone.now() - timedelta(seconds=seconds))


def test_a_job_whose_worker_died_is_resumed_by_the_check_and_counts_each_row_once(
        bank, settings, monkeypatch, django_capture_on_commit_callbacks):
    settings.IMPORT_CHUNK_ROWS = 10
    job = _upload(_aum_file(bank))
    real_apply, calls = import_job._apply, []

    def dies_on_the_second_chunk(kind, valid):
        calls.append(len(valid))
        if len(calls) == 2:
            raise WorkerDied
        return real_apply(kind, valid)

    monkeypatch.setattr(import_job, "_apply", dies_on_the_second_chunk)
    with pytest.raises(WorkerDied):
        imports.run_import(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "running" and job.rows_done == 10 and job.created == 9 and job.rejected == 1
    assert AumSnapshot.objects.count() == 9

    # A live worker (recent report) is left alone; a silent one is run again from its cursor.
    with django_capture_on_commit_callbacks(execute=True):
        assert check_imports()["requeued"] == []
    _age(job)
    with django_capture_on_commit_callbacks(execute=True):
        assert check_imports()["requeued"] == [job.pk]
    job.refresh_from_db()
    assert job.status == "done" and job.attempts == 2, job.message
    assert (job.created, job.updated, job.unchanged, job.rejected, job.rows_done) == (24, 0, 0, 1, 25)
    assert [(e["row"], e["field"]) for e in job.errors] == [(4, "client_no")]
    assert AumSnapshot.objects.count() == 24
    assert Client.objects.get(client_no="0002").aum == 2500  # day 25 is the latest for 0002

    # Run again (a redelivered message): a finished job changes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert check_imports()["requeued"] == []
    imports.run_import(job_id=job.pk)
    job.refresh_from_db()
    assert (job.created, job.attempts, len(job.errors)) == (24, 2, 1) and AumSnapshot.objects.count() == 24


def test_a_job_that_keeps_dying_stops_with_what_was_applied_said(bank, settings, monkeypatch):
    settings.IMPORT_CHUNK_ROWS, settings.IMPORT_MAX_ATTEMPTS = 10, 2
    job = _upload(_aum_file(bank))
    monkeypatch.setattr(import_job, "_apply", lambda kind, valid: (_ for _ in ()).throw(WorkerDied))
    for _attempt in range(2):
        with pytest.raises(WorkerDied):
            imports.run_import(job_id=job.pk)
    job = imports.run_import(job_id=job.pk)
    assert job.status == "failed" and "前 0 行已处理" in job.message and not AumSnapshot.objects.exists()


def test_a_running_job_of_a_live_worker_is_not_requeued(bank):
    job = _upload(_aum_file(bank))
    ImportJob.objects.filter(pk=job.pk).update(status="running", heartbeat_at=timezone.now())
    assert imports.requeue_stale_jobs() == []


def test_a_previewed_job_is_never_picked_up_by_the_check(bank):
    job = imports.create_import_job(kind="aum_snapshots", actor=None, preview=True,
                                    uploaded_file=SimpleUploadedFile("aum.csv", _aum_file(bank)))
    _age(job)
    assert imports.requeue_stale_jobs() == [] and not OutboxMessage.objects.exists()


def test_an_import_uploaded_while_redis_is_down_runs_when_it_is_back(
        bank, api_as, monkeypatch, django_capture_on_commit_callbacks):
    content = _aum_file(bank)
    real_broker = app.conf.broker_url
    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")  # nothing listens on port 1
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(bank.head_office).post(
            "/api/v1/imports/", {"kind": "aum_snapshots", "file": SimpleUploadedFile("a.csv", content)},
            format="multipart")
    assert response.status_code == 201  # the upload is kept; its run waits in the outbox
    job = ImportJob.objects.get(pk=response.json()["id"])
    assert job.status == "pending" and not AumSnapshot.objects.exists()
    message = OutboxMessage.objects.get()
    assert message.sent_at is None and message.attempts == 1 and message.last_error
    assert outbox.sweep() == 0  # still down: kept

    monkeypatch.setattr(app.conf, "broker_url", real_broker)
    assert outbox.sweep() == 1
    job.refresh_from_db()
    assert job.status == "done" and job.created == 24
    message.refresh_from_db()
    assert message.sent_at is not None and outbox.sweep() == 0


def test_the_page_upload_goes_through_the_outbox_too(bank, web_as, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = web_as(bank.head_office).post(
            "/clients/imports/", {"kind": "aum_snapshots", "file": SimpleUploadedFile("a.csv", _aum_file(bank))})
    assert response.status_code == 302 and len(callbacks) == 1
    message = OutboxMessage.objects.get()
    assert message.task == "clients.tasks.run_import" and message.kwargs == {"job_id": ImportJob.objects.get().pk}


def test_the_schedules_are_installed_by_migrations():
    from django_celery_beat.models import PeriodicTask

    tasks = dict(PeriodicTask.objects.filter(enabled=True).values_list("task", "interval__every"))
    assert tasks["wealthcrm.outbox.tasks.sweep_outbox"] == 1 and tasks["clients.tasks.check_imports"] == 2


def test_a_queued_job_is_sent_again_only_once_its_message_is_presumed_lost(bank, settings):
    job = _upload(_aum_file(bank))
    _age(job, seconds=settings.IMPORT_STALE_SECONDS + 5)
    assert imports.requeue_stale_jobs() == []  # sent recently: it may be waiting behind other work
    OutboxMessage.objects.update(sent_at=timezone.now() - timedelta(days=1))
    assert imports.requeue_stale_jobs() == [job.pk]
