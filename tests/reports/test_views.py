"""The /reports/ page: head office only, request form, past reports with progress and download links."""

import pytest

from performance.reports.choices import ReportStatus
from performance.reports.models import MonthlyReport
from performance.reports.views import LIST_SIZE
from tests.reports.conftest import PAST

pytestmark = pytest.mark.django_db


def test_head_office_sees_the_form_and_the_nav_entry(bank, web_as):
    page = web_as(bank.head_office).get("/reports/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="month"' in html and 'placeholder="年-月"' in html and "还没有生成过报告" in html
    assert 'href="/reports/"' in html  # navigation, 总行管理


@pytest.mark.parametrize("who", ["north_manager", "advisor", "hall"])
def test_other_roles_get_403_and_no_nav_entry(bank, web_as, who):
    client = web_as(getattr(bank, who))
    assert client.get("/reports/").status_code == 403
    assert client.get("/reports/rows/").status_code == 403
    assert client.post("/reports/", {"month": "2025-03", "format": "csv"}).status_code == 403
    assert 'href="/reports/"' not in client.get("/").content.decode()
    assert not MonthlyReport.objects.exists()


def test_requesting_a_report_queues_it_and_shows_it_pending(bank, web_as, django_capture_on_commit_callbacks):
    client = web_as(bank.head_office)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post("/reports/", {"month": "2025-03", "format": "xlsx"})
    assert response.status_code == 302 and len(callbacks) == 1
    report = MonthlyReport.objects.get()
    assert (report.month, report.format, report.status, report.requested_by) == (
        PAST, "xlsx", ReportStatus.PENDING, bank.head_office)
    rows = client.get("/reports/rows/").content.decode()
    assert 'hx-trigger="every 2s"' in rows and "排队中" in rows


def test_a_bad_month_is_shown_on_the_form(bank, web_as):
    page = web_as(bank.head_office).post("/reports/", {"month": "2025-13", "format": "xlsx"})
    assert page.status_code == 200 and "YYYY-MM" in page.content.decode()
    assert not MonthlyReport.objects.exists()


def test_finished_reports_link_to_the_checked_download_and_stop_polling(book, bank, web_as, build):
    report = build(PAST, "csv")
    rows = web_as(bank.head_office).get("/reports/rows/").content.decode()
    assert f'href="/api/v1/reports/{report.pk}/download/"' in rows
    assert "hx-trigger" not in rows and "已完成" in rows


def test_page_queries_do_not_grow_with_reports(bank, web_as, django_assert_max_num_queries):
    client = web_as(bank.head_office)
    MonthlyReport.objects.create(month=PAST, format="csv", requested_by=bank.head_office)
    client.get("/reports/")
    with django_assert_max_num_queries(12) as few:
        client.get("/reports/")
    MonthlyReport.objects.bulk_create([MonthlyReport(month=PAST, format="xlsx", requested_by=bank.admin,
                                                     status=ReportStatus.RUNNING, progress=40)
                                       for _ in range(40)])
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get("/reports/").content.decode()
    assert html.count('<progress max="100" value="40">') == LIST_SIZE  # latest first, a page of them
