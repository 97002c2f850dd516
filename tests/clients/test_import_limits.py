"""Issue 19 item 4: imports are bounded and never half-applied. Every bad row is that row's error, every good row
is applied whatever the others contain; a file refused as a whole is refused before its first row is applied.
Limits are scaled down through settings where a real-size file would only make the test slow."""

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from clients import imports
from clients.imports import job as import_job
from clients.models import Client
from clients.tasks import run_import

pytestmark = pytest.mark.django_db

HEADER = "客户号,姓名,机构代码\n"


def _run(content: bytes, kind="clients", name="file.csv"):
    job = imports.create_import_job(kind=kind, uploaded_file=SimpleUploadedFile(name, content), actor=None)
    run_import.apply(kwargs={"job_id": job.pk})
    job.refresh_from_db()
    return job


def _rows(n, start=1):
    return "".join(f"C{i:06d},客户{i},BJ01\n" for i in range(start, start + n))


def test_6000_valid_rows_and_one_over_long_name_apply_all_6000_and_report_the_one(bank):
    content = (HEADER + _rows(6000) + "C999999," + "名" * 101 + ",BJ01\n").encode()
    job = _run(content)
    assert job.status == "done", job.message
    assert (job.created, job.rejected, job.error_count) == (6000, 1, 1)
    assert job.errors == [{"row": 6002, "field": "name", "column": "姓名", "message": "不能超过 100 个字符。"}]
    assert Client.objects.count() == 6000 and job.rows_done == job.rows_total == 6001


def test_a_10_mb_cell_is_that_rows_error_and_its_chunk_is_applied(bank):
    huge = "x" * (10 * 1024 * 1024)
    content = (HEADER + _rows(3) + f"C000004,{huge},BJ01\n" + _rows(3, start=5)).encode()
    job = _run(content)
    assert job.status == "done", job.message
    assert job.created == 6 and [(e["row"], e["column"]) for e in job.errors] == [(5, "姓名")]
    assert "过长" in job.errors[0]["message"] and huge[:50] not in str(job.errors)
    assert not Client.objects.filter(client_no="C000004").exists()


def test_a_row_the_database_refuses_is_isolated_and_the_rest_of_its_chunk_applied(bank, monkeypatch):
    # A rule the cell checks miss (here: the length check switched off) is still one row's error.
    monkeypatch.setitem(import_job.MAX_CHARS, "name", 10_000)
    content = (HEADER + _rows(40) + "C000041," + "名" * 101 + ",BJ01\n" + _rows(40, start=42)).encode()
    job = _run(content)
    assert job.status == "done" and job.created == 80 and [e["row"] for e in job.errors] == [42]


def _xlsx(rows, header=("客户号", "姓名", "机构代码")):
    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _rewrite_member(data: bytes, member: str, change) -> bytes:
    source, target = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            body = source.read(info.filename)
            out.writestr(info.filename, change(body) if info.filename == member else body)
    return target.getvalue()


def test_an_xlsx_whose_dimension_lies_is_read_to_its_last_row(bank):
    data = _xlsx((f"X{i}", f"客户{i}", "BJ01") for i in range(1, 501))
    lying = _rewrite_member(data, "xl/worksheets/sheet1.xml",
                            lambda body: re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:B2"', body))
    assert b'ref="A1:B2"' in zipfile.ZipFile(io.BytesIO(lying)).read("xl/worksheets/sheet1.xml")
    job = _run(lying, name="lying.xlsx")
    assert job.status == "done", job.message
    assert job.created == 500 and job.rows_total == 500 and not job.errors
    assert Client.objects.get(client_no="X500").org_unit == bank.north_sub  # the third column too


def test_an_xlsx_that_would_expand_past_the_limit_is_refused_unopened(bank, settings):
    settings.TABULAR_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    buffer = io.BytesIO(_xlsx([("1", "甲", "BJ01")]))
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * (8 * 1024 * 1024))  # 8 MB of zeros: ~8 KB zipped
    bomb = buffer.getvalue()
    assert len(bomb) < 100_000
    job = _run(bomb, name="bomb.xlsx")
    assert job.status == "failed" and "解压后过大" in job.message and "上限 1 MB" in job.message
    assert not Client.objects.exists()


def test_shared_strings_have_their_own_limit(bank, settings):
    settings.TABULAR_MAX_SHARED_STRINGS_BYTES = 1024
    buffer = io.BytesIO(_xlsx([("1", "甲", "BJ01")]))
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:  # the reader loads this part whole
        archive.writestr("xl/sharedStrings.xml", b"<sst>" + b"<si><t>x</t></si>" * 200 + b"</sst>")
    job = _run(buffer.getvalue(), name="strings.xlsx")
    assert job.status == "failed" and "解压后过大" in job.message and not Client.objects.exists()


def test_a_file_over_the_row_limit_is_refused_before_any_row_is_applied(bank, settings):
    settings.IMPORT_MAX_ROWS, settings.IMPORT_CHUNK_ROWS = 25, 10
    job = _run((HEADER + _rows(26)).encode())
    assert job.status == "failed" and "超过 25 行" in job.message
    assert not Client.objects.exists() and job.created == 0
    assert _run((HEADER + _rows(25)).encode()).created == 25


def test_a_broken_line_deep_in_a_csv_fails_the_file_before_any_row_is_applied(bank, settings):
    settings.IMPORT_CHUNK_ROWS = 10
    job = _run((HEADER + _rows(35) + "C000036,多,一列,BJ01\n" + _rows(5, start=37)).encode())
    assert job.status == "failed" and "CSV" in job.message
    assert not Client.objects.exists() and job.created == 0


def test_errors_kept_are_bounded_and_every_error_is_counted(bank, monkeypatch):
    monkeypatch.setattr(import_job, "MAX_REPORTED_ERRORS", 30)
    content = (HEADER + _rows(10) + "".join(f"E{i},,XX\n" for i in range(50))).encode()
    job = _run(content)
    assert job.status == "done" and job.created == 10
    assert (job.rejected, job.error_count, len(job.errors)) == (50, 100, 30)
    assert "100" in job.message and "30" in job.message
