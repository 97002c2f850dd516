import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from clients import imports
from clients.models import AumSnapshot, Client, ImportJob, ProductSale
from clients.tasks import run_import
from wealthcrm.crypto import blind_index

pytestmark = pytest.mark.django_db

CLIENTS_CSV = (
    "客户号,姓名,证件号码,手机号,出生日期,风险等级,机构代码,客户经理\n"
    "10001,王伟,110101198505051234,13812345678,1985-05-05,C3,BJ01,bj01_adv\n"
    "10002,=HYPERLINK(\"x\"),,,1990/02/03,c4,BJ01,\n"
    ",,,,,,,\n"
    "10003,李娜,1.10101198505052E+17,,,C2,BJ01,\n"
    "10004,张强,,,1970-02-30,C9,XX99,nobody\n"
    "10001,王伟重复,,,,,BJ01,\n"
    "10005,刘洋,,13900001111.0,19880808,,BJ0101,bj0101_am\n"
)


def _job(content, *, kind, name="file.csv"):
    return imports.create_import_job(kind=kind, uploaded_file=SimpleUploadedFile(name, content), actor=None)


def _run(content: bytes, kind="clients", name="file.csv"):
    job = _job(content, kind=kind, name=name)
    run_import.apply(kwargs={"job_id": job.pk})
    job.refresh_from_db()
    return job


def _errors(job):
    return {(e["row"], e["field"]) for e in job.errors}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_clients_csv_in_each_encoding_applies_good_rows_and_reports_bad_ones(bank, encoding):
    job = _run(CLIENTS_CSV.encode(encoding))
    assert job.status == "done", job.message
    assert (job.created, job.updated, job.unchanged) == (3, 0, 0)
    assert _errors(job) == {(5, "id_number"), (6, "birth_date"), (6, "risk_level"), (6, "org_unit_code"),
                            (6, "advisor_username"), (7, "client_no")}
    e_notation = next(e for e in job.errors if e["field"] == "id_number")
    assert "文本" in e_notation["message"]
    wang = Client.objects.get(client_no="10001")
    assert wang.name == "王伟" and wang.advisor == bank.advisor and wang.org_unit == bank.north_sub
    assert wang.id_number == "110101198505051234" and wang.id_number_hash == blind_index("110101198505051234")
    formula = Client.objects.get(client_no="10002")
    assert formula.name == '=HYPERLINK("x")' and formula.risk_level == "C4"
    assert formula.birth_date == dt.date(1990, 2, 3)
    liu = Client.objects.get(client_no="10005")
    assert liu.phone == "13900001111" and liu.birth_date == dt.date(1988, 8, 8)


def test_reimporting_the_same_file_changes_nothing(bank):
    _run(CLIENTS_CSV.encode())
    before = list(Client.objects.order_by("client_no").values_list("client_no", "name", "id_number_hash", "updated_at"))
    job = _run(CLIENTS_CSV.encode())
    assert (job.created, job.updated, job.unchanged) == (0, 0, 3)
    after = list(Client.objects.order_by("client_no").values_list("client_no", "name", "id_number_hash", "updated_at"))
    assert before == after


def test_client_reimport_with_a_change_updates_only_that_row_and_blank_keeps_values(bank):
    _run(CLIENTS_CSV.encode())
    job = _run("client_no,name,org_unit_code,phone\n10001,王伟,BJ01,13700000000\n10005,刘洋,BJ0101,\n".encode())
    assert (job.created, job.updated, job.unchanged) == (0, 1, 1)
    assert Client.objects.get(client_no="10001").phone == "13700000000"
    assert Client.objects.get(client_no="10001").id_number == "110101198505051234"
    assert Client.objects.get(client_no="10005").phone == "13900001111"


def _clients(bank):
    Client.objects.create(client_no="0001", name="甲", org_unit=bank.north_sub, advisor=bank.advisor)
    Client.objects.create(client_no="0002", name="乙", org_unit=bank.north_sub, advisor=bank.advisor2)


def test_aum_csv_with_thousands_separators_dates_and_bad_rows(bank):
    _clients(bank)
    content = (
        b"client_no,as_of,aum\n"
        b"0001,2026-01-31,\"25,000,000.00\"\n"
        b"0001,2025/12/31,24000000\n"
        b"0002,20260131,1.5\n"
        b"\n"
        b"0002,20260131,2\n"
        b"0003,2026-01-31,1\n"
        b"0001,2026-02-30,1\n"
        b"0002,2026-02-28,-1\n"
        b"0002,2026-02-27,1.234\n"
        b"0002,2026-02-26,abc\n"
    )
    job = _run(content, kind="aum_snapshots")
    assert job.status == "done"
    assert (job.created, job.updated, job.unchanged) == (3, 0, 0)
    assert _errors(job) == {(6, "client_no"), (7, "client_no"), (8, "as_of"), (9, "aum"), (10, "aum"), (11, "aum")}
    first = Client.objects.get(client_no="0001")
    assert first.aum == Decimal("25000000.00") and first.aum_as_of == dt.date(2026, 1, 31)
    assert Client.objects.get(client_no="0002").aum == Decimal("1.50")
    again = _run(content, kind="aum_snapshots")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert AumSnapshot.objects.count() == 3


def test_aum_import_streams_in_chunks_with_duplicates_across_chunks(bank, tmp_path):
    _clients(bank)
    lines = ["客户号,日期,金融资产"] + [f"0001,2024-01-{d:02d},{d}00" for d in range(1, 29)] + ["0001,2024-01-01,5"]
    path = tmp_path / "aum.csv"
    path.write_text("\n".join(lines), encoding="gb18030")
    progress = []
    result = imports.process_file(kind="aum_snapshots", path=path, chunk_rows=5, on_progress=progress.append)
    assert result["created"] == 28 and [(e["row"], e["field"]) for e in result["errors"]] == [(30, "client_no")]
    assert progress == sorted(progress) and len(progress) == 6
    assert Client.objects.get(client_no="0001").aum == Decimal("2800.00")


def test_xlsx_with_number_cells_date_cells_and_bad_rows(bank):
    Client.objects.create(client_no="123", name="甲", org_unit=bank.north_sub, advisor=bank.advisor)
    Client.objects.create(client_no="0123", name="丙", org_unit=bank.north_sub, advisor=bank.advisor)
    wb = Workbook()
    ws = wb.active
    ws.append(["客户号", "销售日期", "产品类别", "金额", "中间业务收入", "客户经理"])
    ws.append([123, dt.datetime(2026, 1, 15), "基金", 500000, 1250.5, None])
    ws.append(["0123", "2026-01-16", "insurance", "1,000,000.00", None, "bj01_adv2"])
    ws.append([None, None, None, None, None, None])
    ws.append([123, dt.date(2026, 1, 17), "股票", 1, 0, None])
    ws.append([123, dt.date(2026, 1, 18), "trust", 1.239, 0, None])
    ws.append([123, dt.datetime(2026, 1, 15), "基金", 500000, 9, None])
    ws.append([999, dt.datetime(2026, 1, 15), "基金", 1, 0, None])
    buffer = io.BytesIO()
    wb.save(buffer)
    job = _run(buffer.getvalue(), kind="sales", name="sales.xlsx")
    assert job.status == "done", job.message
    assert (job.created, job.updated, job.unchanged) == (2, 0, 0)
    assert _errors(job) == {(5, "product_category"), (6, "amount"), (7, "client_no"), (8, "client_no")}
    fund = ProductSale.objects.get(client__client_no="123")
    assert fund.product_category == "fund" and fund.fee_income == Decimal("1250.50") and fund.advisor == bank.advisor
    sale = ProductSale.objects.get(client__client_no="0123")
    assert sale.amount == Decimal("1000000.00") and sale.fee_income == 0 and sale.advisor == bank.advisor2
    again = _run(buffer.getvalue(), kind="sales", name="sales.xlsx")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_xlsx_number_cells_read_as_digits_and_long_id_numbers_rejected(bank):
    wb = Workbook()
    ws = wb.active
    ws.append(["client_no", "name", "org_unit_code", "phone", "id_number", "birth_date"])
    ws.append([20001, "赵敏", "BJ01", 13812345678, 110101198505051234, dt.datetime(1985, 5, 5)])
    ws.append([20002, "钱多", "BJ01", 13812345679, "110101198505051234", None])
    buffer = io.BytesIO()
    wb.save(buffer)
    job = _run(buffer.getvalue(), kind="clients", name="c.xlsx")
    assert _errors(job) == {(2, "id_number")}
    client = Client.objects.get(client_no="20002")
    assert client.phone == "13812345679" and client.id_number == "110101198505051234"


@pytest.mark.parametrize("content, name, needle", [
    (b"", "empty.csv", "空"),
    (b"client_no,name\n1,x\n", "h.csv", "org_unit_code"),
    ("客户号,姓名\n1,王\n".encode("utf-16"), "u16.csv", "编码"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old.csv", "xls"),
    (b"PK\x03\x04garbage", "broken.xlsx", "Excel"),
    (b"client_no,name,org_unit_code\n1,\x81\xff\xfe,BJ01\n", "bad.csv", "编码"),
])
def test_unreadable_files_fail_the_job_with_a_clear_message_and_apply_nothing(bank, content, name, needle):
    if content == b"":
        with pytest.raises(Exception, match="空"):
            imports.check_upload(SimpleUploadedFile(name, content))
        return
    job = _run(content, name=name)
    assert job.status == "failed" and needle in job.message
    assert not Client.objects.exists()


def test_import_api_upload_and_status_for_head_office_only(bank, api_as, django_capture_on_commit_callbacks):
    api = api_as(bank.head_office)
    upload = SimpleUploadedFile("c.csv", CLIENTS_CSV.encode("gbk"), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api.post("/api/v1/imports/", {"kind": "clients", "file": upload}, format="multipart")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "pending" and len(callbacks) == 1
    job_id = response.json()["id"]
    run_import.apply(kwargs={"job_id": job_id})
    body = api.get(f"/api/v1/imports/{job_id}/").json()
    assert body["status"] == "done" and body["progress"] == 100 and body["created"] == 3
    assert {"row": 5, "field": "id_number"}.items() <= body["errors"][0].items()
    bad = api.post("/api/v1/imports/", {"kind": "clients", "file": SimpleUploadedFile("x.pdf", b"%PDF")},
                   format="multipart")
    assert bad.status_code == 400 and "file" in bad.json()
    for who in ("advisor", "north_manager", "hall"):
        other = api_as(getattr(bank, who))
        assert other.get("/api/v1/imports/").status_code == 403
        assert other.get(f"/api/v1/imports/{job_id}/").status_code == 403
        assert other.post("/api/v1/imports/", {"kind": "clients", "file": SimpleUploadedFile("c.csv", b"a")},
                          format="multipart").status_code == 403


def test_import_file_command_runs_synchronously(bank, tmp_path, capsys):
    _clients(bank)
    path = tmp_path / "aum.csv"
    path.write_text("client_no,as_of,aum\n0001,2026-01-31,100\n0002,2026-01-31,200\n", encoding="utf-8-sig")
    call_command("import_file", "--kind", "aum_snapshots", str(path))
    assert "created 2" in capsys.readouterr().out
    assert ImportJob.objects.get().status == "done"
    bad = tmp_path / "bad.csv"
    bad.write_text("client_no,aum\n0001,1\n")
    with pytest.raises(CommandError, match="as_of"):
        call_command("import_file", "--kind", "aum_snapshots", str(bad))


def test_sales_carry_a_maturity_kept_by_a_later_file_without_one_and_never_before_the_sale(bank):
    _clients(bank)
    job = _run("客户号,销售日期,产品类别,金额,到期日\n"
               "0001,2026-01-05,理财产品,1000000,2026-07-06\n"
               "0002,2026-01-05,理财产品,2000000,2025-12-31\n".encode(), kind="sales")
    assert (job.created, job.rejected) == (1, 1)
    assert [(e["row"], e["column"]) for e in job.errors] == [(3, "到期日")]
    sale = ProductSale.objects.get()
    assert sale.matures_on == dt.date(2026, 7, 6)
    again = _run("客户号,销售日期,产品类别,金额\n0001,2026-01-05,理财产品,1000000\n".encode(), kind="sales")
    assert again.unchanged == 1
    sale.refresh_from_db()
    assert sale.matures_on == dt.date(2026, 7, 6)
