"""/api/v1/reports/: head office requests, follows and downloads; everyone else 403; downloads audited."""

import pytest

from performance.reports import services
from performance.reports.choices import ReportStatus
from performance.reports.models import MonthlyReport
from tests.reports.conftest import PAST
from wealthcrm.audit.models import AuditEvent
from wealthcrm.celery import app
from wealthcrm.org.choices import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager():
    """The Celery task runs in-process when queued (the wrapper and the service are what is tested here)."""
    # restore what was there: the suite runs every task eagerly (tests/conftest.py), and switching it off here
    # left later tests queueing real tasks on the broker
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


def test_head_office_requests_follows_and_downloads(book, bank, api_as, eager, django_capture_on_commit_callbacks):
    api = api_as(bank.head_office)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/reports/monthly/", {"month": f"{PAST:%Y-%m}", "format": "csv"}, format="json")
    assert response.status_code == 201
    assert response.json()["status"] == ReportStatus.PENDING and response.json()["id"]
    detail = api.get(f"/api/v1/reports/{response.json()['id']}/").json()
    assert detail["status"] == ReportStatus.DONE and detail["progress"] == 100 and detail["month"] == "2025-03"
    assert detail["download_url"].endswith(f"/api/v1/reports/{detail['id']}/download/")
    download = api.get(detail["download_url"])
    assert download.status_code == 200
    content = b"".join(download.streaming_content)
    assert content.startswith("\ufeff客户号".encode())
    assert "attachment" in download["Content-Disposition"] and download["Cache-Control"] == "private, no-store"
    event = AuditEvent.objects.get(action="export", object_type="reports.monthlyreport")
    assert event.actor == bank.head_office and event.object_id == str(detail["id"])
    assert event.detail == {"month": "2025-03", "format": "csv", "rows": 6}


@pytest.mark.parametrize("who", ["north_manager", "advisor", "account_manager", "hall"])
def test_others_may_not_request_follow_or_download(book, bank, api_as, build, who):
    report = build(PAST, "csv")
    api = api_as(getattr(bank, who))
    assert api.post("/api/v1/reports/monthly/", {"month": "2025-03", "format": "csv"}, format="json").status_code == 403
    assert api.get(f"/api/v1/reports/{report.pk}/").status_code == 403
    assert api.get(f"/api/v1/reports/{report.pk}/download/").status_code == 403
    assert api.get("/api/v1/reports/").status_code == 403
    assert not AuditEvent.objects.filter(action="export").exists()
    assert MonthlyReport.objects.count() == 1


def test_anonymous_is_refused(book, bank, api_as, build):
    report = build(PAST, "csv")
    assert api_as(None).get(f"/api/v1/reports/{report.pk}/download/").status_code in (401, 403)


def test_every_download_is_checked_again_and_audited(book, bank, api_as, build):
    """Another head-office user may download; the requester demoted since may not; each download is one event."""
    report = build(PAST, "xlsx")
    colleague = bank.admin
    assert api_as(colleague).get(f"/api/v1/reports/{report.pk}/download/").status_code == 200
    assert api_as(colleague).get(f"/api/v1/reports/{report.pk}/download/").status_code == 200
    bank.head_office.role = Role.BRANCH_MANAGER
    bank.head_office.save()
    assert api_as(bank.head_office).get(f"/api/v1/reports/{report.pk}/download/").status_code == 403
    events = AuditEvent.objects.filter(action="export", object_id=str(report.pk))
    assert [e.actor_id for e in events] == [colleague.pk, colleague.pk]


def test_unfinished_expired_or_missing_reports_are_not_downloadable(book, bank, api_as, build):
    api = api_as(bank.head_office)
    pending = MonthlyReport.objects.create(month=PAST, format="csv", requested_by=bank.head_office)
    assert api.get(f"/api/v1/reports/{pending.pk}/").json()["download_url"] is None
    assert api.get(f"/api/v1/reports/{pending.pk}/download/").status_code == 404
    done = build(PAST, "csv")
    services.delete_expired_reports(now=done.expires_at)
    assert api.get(f"/api/v1/reports/{done.pk}/download/").status_code == 404
    assert api.get("/api/v1/reports/99999999/download/").status_code == 404
    assert not AuditEvent.objects.filter(action="export").exists()


@pytest.mark.parametrize("body, field", [
    ({"month": "2025-13", "format": "csv"}, "month"),
    ({"month": "2025/03", "format": "csv"}, "month"),
    ({"month": "２０２５-03", "format": "csv"}, "month"),
    ({"month": "1999-12", "format": "csv"}, "month"),
    ({"month": "2999-01", "format": "csv"}, "month"),
    ({"format": "csv"}, "month"),
    ({"month": "2025-03", "format": "pdf"}, "format"),
    ({"month": "2025-03"}, "format"),
])
def test_bad_month_or_format_is_a_400_naming_the_field(bank, api_as, body, field):
    response = api_as(bank.head_office).post("/api/v1/reports/monthly/", body, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not MonthlyReport.objects.exists()


def test_list_costs_the_same_queries_for_many_reports(bank, api_as, django_assert_max_num_queries):
    api = api_as(bank.head_office)
    MonthlyReport.objects.create(month=PAST, format="csv", requested_by=bank.head_office)
    with django_assert_max_num_queries(3):
        assert len(api.get("/api/v1/reports/").json()["results"]) == 1
    MonthlyReport.objects.bulk_create([MonthlyReport(month=PAST, format="xlsx", requested_by=bank.admin)
                                       for _ in range(40)])
    with django_assert_max_num_queries(3):
        assert len(api.get("/api/v1/reports/").json()["results"]) == 41
