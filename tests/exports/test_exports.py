"""Exports of lists: scoped as the page, written by COPY in Celery (run eagerly here), audited, never half a file."""

import csv
import io
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from referrals.models import Referral
from tests.factories import ClientFactory
from tests.referrals.factories import submit
from wealthcrm.audit.models import AuditEvent
from wealthcrm.exports import services, sql
from wealthcrm.exports.choices import FileStatus
from wealthcrm.exports.models import ExportJob

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def export_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def export(web_as, django_capture_on_commit_callbacks):
    """``export(user, kind, **filters)`` → (the job after the worker ran, the POST response)."""

    def run(user, kind, **filters):
        with django_capture_on_commit_callbacks(execute=True):
            response = web_as(user).post(reverse("exports:request", args=[kind]) + "?" + _query(filters))
        job = ExportJob.objects.filter(requested_by=user).order_by("-id").first()
        return job, response

    return run


def _query(filters):
    return urlencode(filters)


def download(web, job) -> list[list[str]]:
    response = web.get(reverse("export-download", args=[job.pk]))
    assert response.status_code == 200, response.status_code
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


@pytest.fixture
def book(bank):
    return {
        "mine": ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, client_no="N1", name="=1+2"),
        "colleague": ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor2, client_no="N2", name="@SUM(A1)"),
        "south": ClientFactory(org_unit=bank.south_sub, advisor=bank.south_advisor, client_no="S1", name="-南"),
    }


def test_an_advisors_export_holds_only_their_clients_formula_safe(bank, book, export, web_as):
    job, response = export(bank.advisor, "clients")
    assert response.status_code == 302 and response.url == reverse("exports:detail", args=[job.pk])
    assert job.status == FileStatus.DONE and job.row_count == 1
    rows = download(web_as(bank.advisor), job)
    assert rows[0][:4] == ["客户号", "姓名", "客户层级", "我行金融资产（万元）"]
    assert [r[:2] for r in rows[1:]] == [["N1", "'=1+2"]]
    assert rows[1][3] == "100.00"  # 1,000,000.00 元 in 万, as the list shows it


def test_managers_export_their_subtree_with_the_lists_filters(bank, book, export, web_as):
    job, _ = export(bank.north_manager, "clients")
    names = {r[1] for r in download(web_as(bank.north_manager), job)[1:]}
    assert names == {"'=1+2", "'@SUM(A1)"}
    job, _ = export(bank.head_office, "clients", advisor=bank.south_advisor.pk)
    assert [r[1] for r in download(web_as(bank.head_office), job)[1:]] == ["'-南"]
    assert job.filters == {"advisor": [str(bank.south_advisor.pk)]}


def test_the_chunked_export_walks_every_row_once(bank, book, export, web_as, monkeypatch):
    monkeypatch.setattr(services, "CHUNK_IDS", 1)
    job, _ = export(bank.head_office, "clients")
    rows = download(web_as(bank.head_office), job)
    assert rows[0][0] == "客户号" and sum(r[0] == "客户号" for r in rows) == 1
    assert [r[0] for r in rows[1:]] == ["S1", "N2", "N1"] and job.row_count == 3


def test_the_chunked_export_runs_its_ranges_without_jit_and_hands_the_setting_back(bank, book, export, monkeypatch,
                                                                                   jit_setting):
    monkeypatch.setattr(services, "CHUNK_IDS", 1)
    before, seen, real = jit_setting(), [], sql.copy_chunk

    def watching(cursor, statement, out):
        seen.append(jit_setting())
        real(cursor, statement, out)

    monkeypatch.setattr(sql, "copy_chunk", watching)
    job, _ = export(bank.head_office, "clients")
    assert job.status == FileStatus.DONE and len(seen) > 1 and set(seen) == {"off"} and jit_setting() == before

    def failing(cursor, statement, out):
        raise OSError("disk full")

    monkeypatch.setattr(sql, "copy_chunk", failing)
    job, _ = export(bank.head_office, "clients")
    assert job.status == FileStatus.FAILED and jit_setting() == before


def test_request_and_download_are_audited(bank, book, export, web_as):
    job, _ = export(bank.north_manager, "clients", tier="sub_branch")
    requested = AuditEvent.objects.get(action="export", object_id=str(job.pk), detail__stage="requested")
    assert requested.actor == bank.north_manager and requested.detail["filters"] == {"tier": ["sub_branch"]}
    download(web_as(bank.north_manager), job)
    download(web_as(bank.north_manager), job)
    assert AuditEvent.objects.filter(action="export", object_id=str(job.pk), detail__stage="downloaded").count() == 2


def test_only_the_requester_sees_or_downloads_an_export(bank, book, export, web_as, api_as):
    job, _ = export(bank.north_manager, "clients")
    for other in (bank.head_office, bank.advisor, bank.south_manager):
        web = web_as(other)
        assert web.get(reverse("export-download", args=[job.pk])).status_code == 404
        assert web.get(reverse("exports:detail", args=[job.pk])).status_code == 404
        assert job.pk not in [j["id"] for j in api_as(other).get("/api/v1/exports/").json()["results"]]
    assert not AuditEvent.objects.filter(detail__stage="downloaded").exists()


def test_a_requester_who_lost_the_role_can_no_longer_download(bank, book, export, web_as):
    job, _ = export(bank.north_manager, "referral_board")
    bank.north_manager.role = "advisor"
    bank.north_manager.save()
    assert web_as(bank.north_manager).get(reverse("export-download", args=[job.pk])).status_code == 404


def test_a_failure_mid_export_is_a_failed_job_and_no_file(bank, book, export, web_as, monkeypatch, settings):
    monkeypatch.setattr(services, "CHUNK_IDS", 1)
    real, calls = sql.copy_chunk, []

    def flaky(cursor, statement, out):
        calls.append(statement)
        if len(calls) == 2:
            out.write(b"N2,half a row")
            raise OSError("disk full")
        real(cursor, statement, out)

    monkeypatch.setattr(sql, "copy_chunk", flaky)
    job, _ = export(bank.head_office, "clients")
    assert job.status == FileStatus.FAILED and "导出失败" in job.error and not job.file and job.row_count == 0
    web = web_as(bank.head_office)
    assert web.get(reverse("export-download", args=[job.pk])).status_code == 404
    page = web.get(reverse("exports:detail", args=[job.pk])).content.decode()
    assert "导出失败" in page and reverse("export-download", args=[job.pk]) not in page
    api = web.get(f"/api/v1/exports/{job.pk}/").json()
    assert api["status"] == "failed" and api["download_url"] is None
    assert [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()] == []  # not even the partial file


def test_roles_bad_filters_and_unknown_lists(bank, book, export, web_as):
    assert export(bank.hall, "clients")[1].status_code == 403
    assert export(bank.north_manager, "audit_log")[1].status_code == 403
    assert export(bank.advisor, "referral_board")[1].status_code == 403
    response = export(bank.north_manager, "clients", tier="nope")[1]
    assert response.status_code == 400 and "筛选条件无效" in response.content.decode()
    assert export(bank.north_manager, "nothing")[1].status_code == 404
    assert web_as(bank.north_manager).get(reverse("exports:request", args=["clients"])).status_code == 405
    assert not ExportJob.objects.exists()


def test_the_referral_board_and_funnel_are_scoped(bank, book, export, web_as):
    submit(bank.hall, prospect_name="=北方")
    submit(bank.south_hall, prospect_name="南方")
    job, _ = export(bank.north_manager, "referral_board")
    rows = download(web_as(bank.north_manager), job)
    assert rows[0][:2] == ["推荐编号", "客户"] and [r[1] for r in rows[1:]] == ["'=北方"]
    job, _ = export(bank.head_office, "referral_board")
    assert job.row_count == Referral.objects.count() == 2
    job, _ = export(bank.north_manager, "referral_funnel", recommended_after="2025-01-01")
    rows = download(web_as(bank.north_manager), job)
    assert rows[0][0] == "机构" and sum(int(r[1]) for r in rows[1:]) == 1


def test_tier_lists_and_the_audit_log(bank, book, export, web_as):
    job, _ = export(bank.north_manager, "tier_distribution")
    rows = download(web_as(bank.north_manager), job)
    assert rows[0] == ["机构", "客户层级", "客户数", "我行金融资产（万元）"]
    assert sum(int(r[2]) for r in rows[1:]) == 2
    assert export(bank.north_manager, "tier_changes")[0].status == FileStatus.DONE
    job, _ = export(bank.head_office, "audit_log", action="export")
    rows = download(web_as(bank.head_office), job)
    assert rows[0][:4] == ["编号", "时间", "操作人", "动作"] and {r[3] for r in rows[1:]} == {"导出"}


def test_the_job_list_query_count_does_not_grow(bank, web_as, django_assert_max_num_queries):
    def make(n):
        ExportJob.objects.bulk_create([ExportJob(kind="clients", requested_by=bank.head_office) for _ in range(n)])

    web = web_as(bank.head_office)
    make(2)
    with django_assert_max_num_queries(8) as few:
        assert web.get(reverse("exports:list")).status_code == 200
    make(25)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = web.get(reverse("exports:list"))
    assert page.status_code == 200 and "hx-get" in page.content.decode()  # pending jobs: the list polls


def test_the_api_requests_follows_and_downloads_an_export(bank, book, api_as, django_capture_on_commit_callbacks):
    api = api_as(bank.north_manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/exports/", {"kind": "clients", "filters": {"advisor": [str(bank.advisor.pk)]}},
                            format="json")
    assert response.status_code == 201, response.json()
    job = api.get(f"/api/v1/exports/{response.json()['id']}/").json()
    assert job["status"] == "done" and job["row_count"] == 1 and job["kind_label"] == "客户清单"
    download = api.get(job["download_url"])
    assert download.status_code == 200 and "'=1+2" in b"".join(download.streaming_content).decode("utf-8-sig")
    assert api_as(bank.north_sub_manager).get(job["download_url"]).status_code == 404


@pytest.mark.parametrize("body, status, field", [
    ({"kind": "clients", "filters": {"tier": ["nope"]}}, 400, "filters"),
    ({"kind": "nothing"}, 400, "kind"),
    ({"kind": "clients", "filters": {"tier": "branch"}}, 400, "filters"),
    ({"kind": "audit_log"}, 403, None),
])
def test_the_api_refuses_bad_requests(bank, api_as, body, status, field):
    response = api_as(bank.north_manager).post("/api/v1/exports/", body, format="json")
    assert response.status_code == status
    if field:
        assert field in response.json()
    assert not ExportJob.objects.exists()


def test_an_export_requested_while_redis_is_down_is_built_when_it_is_back(bank, book, export, monkeypatch):
    """Issue 19 "Faults": the request is kept (the job and its outbox message in one transaction) and the sweep
    sends it once the broker answers again; it never stays pending for good."""
    from wealthcrm.celery import app
    from wealthcrm.outbox import services as outbox
    from wealthcrm.outbox.models import OutboxMessage

    real_broker = app.conf.broker_url
    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")  # nothing listens on port 1
    job, response = export(bank.advisor, "clients")
    assert response.status_code == 302 and job.status == FileStatus.PENDING
    assert OutboxMessage.objects.get().sent_at is None
    monkeypatch.setattr(app.conf, "broker_url", real_broker)
    assert outbox.sweep() == 1
    job.refresh_from_db()
    assert job.status == FileStatus.DONE
