"""Issue 22 item 4: the import page says what each kind takes, offers templates and a preview, names errors by
their Chinese column, shows rejected rows as such, and finds advisors by username or unique name in the branch."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from clients import imports
from clients.models import Client, ImportJob
from clients.tasks import run_import
from tests.factories import StaffFactory
from wealthcrm.org.choices import Role

pytestmark = pytest.mark.django_db


def _run(content: str):
    job = imports.create_import_job(kind="clients", uploaded_file=SimpleUploadedFile("c.csv", content.encode()),
                                    actor=None)
    run_import.apply(kwargs={"job_id": job.pk})
    job.refresh_from_db()
    return job


def test_the_page_lists_each_kinds_columns_required_ones_and_templates(bank, web_as):
    page = web_as(bank.head_office).get("/clients/imports/").content.decode()
    for text in ("客户信息", "金融资产", "产品销售", "客户经理", "顾问的用户名，或本分行内唯一的姓名", "必填", "可空",
                 "/clients/imports/template/clients.xlsx", "/clients/imports/template/sales.xlsx", "先预览"):
        assert text in page


@pytest.mark.parametrize("kind, labels", [
    ("clients", ["客户号", "姓名", "机构代码", "证件号码", "手机号", "出生日期", "风险等级", "客户经理"]),
    ("aum_snapshots", ["客户号", "日期", "金融资产", "月日均"]),
    ("sales", ["客户号", "销售日期", "产品类别", "金额", "中间业务收入", "客户经理", "到期日"]),
])
def test_the_template_has_the_chinese_header_and_number_like_columns_as_text(bank, web_as, kind, labels):
    response = web_as(bank.head_office).get(f"/clients/imports/template/{kind}.xlsx")
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    assert header == labels
    for column, label in enumerate(header, start=1):
        text = label in ("客户号", "证件号码", "手机号", "机构代码", "客户经理")
        assert (sheet.cell(row=2, column=column).number_format == "@") == text, label


def test_templates_and_job_pages_are_for_head_office_only(bank, web_as, client):
    job = imports.create_import_job(kind="clients", actor=bank.head_office,
                                    uploaded_file=SimpleUploadedFile("c.csv", b"a,b\n1,2\n"))
    assert web_as(bank.head_office).get("/clients/imports/template/nope.xlsx").status_code == 404
    for who in ("advisor", "north_manager", "hall"):
        client.logout()
        web = web_as(getattr(bank, who))
        assert web.get("/clients/imports/template/clients.xlsx").status_code == 403
        assert web.get(f"/clients/imports/{job.pk}/").status_code in (403, 404)
        assert web.post(f"/clients/imports/{job.pk}/").status_code in (403, 404)


def test_errors_name_the_chinese_column(bank):
    job = _run("客户号,姓名,机构代码,客户经理\n1,甲,BJ01,nobody\n")
    assert [(e["field"], e["column"]) for e in job.errors] == [("advisor_username", "客户经理")]


def test_a_seven_digit_mobile_number_is_rejected(bank):
    job = _run("客户号,姓名,机构代码,手机号\n1,甲,BJ01,1381234\n2,乙,BJ01,13812345678\n")
    assert [(e["row"], e["column"]) for e in job.errors] == [(2, "手机号")]
    assert job.created == 1 and not Client.objects.filter(client_no="1").exists()


def test_advisors_by_username_or_by_a_name_unique_in_the_branch(bank):
    StaffFactory(username="bj01_lu", display_name="陆明", role=Role.ADVISOR, org_unit=bank.north_sub)
    StaffFactory(username="sz01_lu", display_name="陆明", role=Role.ADVISOR, org_unit=bank.south_sub)
    StaffFactory(username="bj_wang1", display_name="王芳", role=Role.ADVISOR, org_unit=bank.north)
    StaffFactory(username="bj01_wang2", display_name="王芳", role=Role.ACCOUNT_MANAGER, org_unit=bank.north_outlet)
    job = _run("客户号,姓名,机构代码,客户经理\n"
               "1,甲,BJ0101,陆明\n"      # the north one: the south 陆明 is another branch
               "2,乙,SZ01,陆明\n"
               "3,丙,BJ01,王芳\n"        # two in the north branch: ambiguous
               "4,丁,BJ01,bj01_wang2\n"  # by username it is clear
               "5,戊,BJ01,赵六\n")
    assert Client.objects.get(client_no="1").advisor.username == "bj01_lu"
    assert Client.objects.get(client_no="2").advisor.username == "sz01_lu"
    assert Client.objects.get(client_no="4").advisor.username == "bj01_wang2"
    errors = {e["row"]: e["message"] for e in job.errors}
    assert set(errors) == {4, 6} and "同名" in errors[4] and "用户名" in errors[6]


def test_a_job_with_rejected_rows_is_shown_amber_not_green(bank, web_as):
    partial = _run("客户号,姓名,机构代码\n1,甲,BJ01\n2,乙,XX\n")
    rejected = _run("客户号,姓名,机构代码\n3,丙,XX\n")
    clean = _run("客户号,姓名,机构代码\n4,丁,BJ01\n")
    assert partial.has_rejected_rows and rejected.has_rejected_rows and not clean.has_rejected_rows
    web = web_as(bank.head_office)
    rows = web.get("/clients/imports/rows/").content.decode()
    assert rows.count("badge-warn") == 2 and rows.count("badge-ok") == 1
    assert "部分完成" in rows and "有错误行" in rows
    detail = web.get(f"/clients/imports/{partial.pk}/").content.decode()
    assert "部分完成" in detail and "机构代码" in detail and "机构代码不存在" in detail


def test_a_preview_applies_nothing_until_confirmed(bank, api_as, web_as, django_capture_on_commit_callbacks):
    api = api_as(bank.head_office)
    content = "客户号,姓名,机构代码,手机号\n1,甲,BJ01,13812345678\n2,乙,BJ01,1381234\n".encode()
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/imports/", {"kind": "clients", "preview": "true",
                                                 "file": SimpleUploadedFile("c.csv", content)}, format="multipart")
    assert response.status_code == 201 and response.json()["preview"] is True
    job_id = response.json()["id"]
    preview = api.get(f"/api/v1/imports/{job_id}/preview/").json()
    assert preview["error"] == "" and [r["row"] for r in preview["rows"]] == [2, 3]
    assert preview["columns"][:3] == [["client_no", "客户号"], ["name", "姓名"], ["org_unit_code", "机构代码"]]
    assert preview["rows"][0]["errors"] == [] and preview["rows"][1]["errors"][0]["column"] == "手机号"
    page = web_as(bank.head_office).get(f"/clients/imports/{job_id}/").content.decode()
    assert "确认导入" in page and "待确认" in page
    imports.run_import(job_id=job_id)  # a stray run of an unconfirmed preview does nothing
    assert not Client.objects.exists() and ImportJob.objects.get().status == "pending"

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = api.post(f"/api/v1/imports/{job_id}/confirm/").json()
    assert confirmed["preview"] is False
    job = ImportJob.objects.get()
    assert job.status == "done" and job.created == 1 and job.rejected == 1
    with django_capture_on_commit_callbacks(execute=True):
        api.post(f"/api/v1/imports/{job_id}/confirm/")
    assert ImportJob.objects.get().attempts == 1


def test_a_preview_of_an_unreadable_file_says_why(bank, web_as):
    job = imports.create_import_job(kind="clients", actor=bank.head_office, preview=True,
                                    uploaded_file=SimpleUploadedFile("c.csv", b"client_no,name\n1,x\n"))
    page = web_as(bank.head_office).get(f"/clients/imports/{job.pk}/").content.decode()
    assert "表头缺少必需的列" in page and "确认导入" not in page
