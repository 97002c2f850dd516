"""The client-level CSV: one row per client of the month, written by PostgreSQL COPY, never truncated."""

import csv
import io
import os
from decimal import Decimal

import pytest

from clients.models import Client
from performance.reports import services, summary
from performance.reports.choices import ReportStatus
from tests.reports.conftest import PAST

pytestmark = pytest.mark.django_db


def read_csv(report) -> tuple[bytes, list[list[str]]]:
    raw = open(report.file.path, "rb").read()
    return raw, list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_current_month_has_a_chinese_header_and_one_row_per_client(book, build):
    report = build(summary.current_month(), "csv")
    raw, rows = read_csv(report)
    assert report.status == ReportStatus.DONE and report.progress == 100
    assert raw.startswith("\ufeff".encode())  # Excel reads the BOM as "UTF-8"
    assert rows[0] == ["客户号", "姓名", "所属机构", "管户顾问", "客户层级", "我行金融资产（元）", "价值分群", "临界提级"]
    assert len(rows) - 1 == Client.objects.count() == report.row_count
    by_no = {row[0]: row for row in rows[1:]}
    assert by_no["N1001"] == ["N1001", "王总", "北京分行", book.climber.advisor.display_name, "总行级",
                              "150000000.00", "A 成长期", "否"]
    assert by_no["S1001"][4:] == ["支行级", "18500000.99", "B 培育期", "是"]
    assert by_no["S1002"][3] == ""  # no advisor
    assert sum(Decimal(row[5]) for row in rows[1:]) == sum(c.aum for c in Client.objects.all())


def test_formula_like_cells_are_written_as_text(book, build):
    _, rows = read_csv(build(summary.current_month(), "csv"))
    tricky = next(row for row in rows if row[1].startswith("'="))
    assert tricky[0] == "'-S1003"
    assert tricky[1] == "'=HYPERLINK(\"http://x\")"
    assert tricky[3] == "'@顾问"
    assert tricky[5] == "12.34"  # numbers are numbers: only text cells are neutralised


def test_past_month_is_the_month_end_state_from_history(book, build):
    report = build(PAST, "csv")
    _, rows = read_csv(report)
    by_no = {row[0]: row for row in rows[1:]}
    assert "S1002" not in by_no  # not a client yet in March 2025
    assert len(by_no) == report.row_count == 6
    assert by_no["N1001"][4:6] == ["分行级", "30000000.00"]  # upgraded in Feb, again only in April
    assert by_no["N1002"][4:] == ["支行级", "19000000.00", "C 潜力", "是"]  # upgraded in May; near the floor
    assert by_no["N1003"][4:6] == ["支行级", "5000000.01"]
    assert by_no["H1001"][4:6] == ["分行级", "33333333.33"]


def test_chunks_cover_every_client_once(book, build, monkeypatch):
    monkeypatch.setattr(services, "CSV_CHUNK_IDS", 2)
    report = build(summary.current_month(), "csv")
    _, rows = read_csv(report)
    seen = [row[0].removeprefix("'") for row in rows[1:]]
    assert sorted(seen) == sorted(Client.objects.values_list("client_no", flat=True).order_by())
    assert len(seen) == len(set(seen))


def test_a_failure_half_way_leaves_a_failed_report_and_no_file(book, build, monkeypatch, report_files):
    monkeypatch.setattr(services, "CSV_CHUNK_IDS", 2)
    real, calls = services.copy_chunk, []

    def flaky(cursor, statement, out):
        calls.append(statement)
        if len(calls) == 2:
            raise OSError("disk full")
        real(cursor, statement, out)

    monkeypatch.setattr(services, "copy_chunk", flaky)
    report = build(summary.current_month(), "csv")
    assert report.status == ReportStatus.FAILED and report.error
    assert not report.file and report.row_count == 0
    left = [name for _, _, names in os.walk(report_files) for name in names]
    assert left == []  # neither the partial file nor a "done" one


def test_the_session_gets_its_jit_setting_back_after_the_list_done_or_failed(book, build, monkeypatch, jit_setting):
    """The ranges run without JIT (its compile cost per range exceeds its gain); the connection, reused by the
    worker's next task, is left as it was — after a failed range too."""
    before = jit_setting()
    seen = []
    real = services.copy_chunk

    def watching(cursor, statement, out):
        seen.append(jit_setting())
        real(cursor, statement, out)

    monkeypatch.setattr(services, "copy_chunk", watching)
    assert build(summary.current_month(), "csv").status == ReportStatus.DONE
    assert seen and set(seen) == {"off"} and jit_setting() == before

    def failing(cursor, statement, out):
        raise OSError("disk full")

    monkeypatch.setattr(services, "copy_chunk", failing)
    assert build(PAST, "csv").status == ReportStatus.FAILED
    assert jit_setting() == before


def test_a_finished_report_is_not_built_again(book, build):
    report = build(summary.current_month(), "csv")
    again = services.build_monthly_report(report_id=report.pk)
    assert again.finished_at == report.finished_at and again.file.name == report.file.name


def test_progress_reaches_the_report_row(book, bank, monkeypatch):
    monkeypatch.setattr(services, "CSV_CHUNK_IDS", 1)
    seen = []
    report = services.MonthlyReport.objects.create(month=summary.current_month(), format="csv",
                                                   requested_by=bank.head_office)
    services.build_monthly_report(
        report_id=report.pk,
        on_progress=lambda pct: seen.append((pct, services.MonthlyReport.objects.get(pk=report.pk).progress)))
    assert len(seen) > 2 and seen[-1][0] == 100
    assert all(pct == stored for pct, stored in seen[:-1])  # the page reads the same figure as the task state
