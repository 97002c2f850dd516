import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.urls import reverse

from wealthcrm.calendar import services
from wealthcrm.calendar.models import CalendarDay

pytestmark = pytest.mark.django_db
MANAGE = "/calendar/"


def test_the_page_is_at_calendar_manage():
    assert reverse("calendar:manage") == MANAGE


def test_head_office_sees_coverage_and_the_fallback_warning(bank, web_as, django_assert_max_num_queries):
    client = web_as(bank.head_office)
    with django_assert_max_num_queries(12):
        response = client.get(MANAGE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "2027 年尚无官方节假日安排" in page
    assert "11 月" in page
    assert response.context["year"] == 2027  # opens on the year that needs attention
    assert "规则推算" in page
    assert "农历除夕" in page


def test_head_office_can_browse_an_official_year(bank, web_as):
    response = web_as(bank.admin).get(MANAGE, {"year": "2025"})
    assert response.status_code == 200
    periods = response.context["periods"]
    worked = [p["start"] for p in periods if p["kind"] == "work"]
    assert worked == [dt.date(2025, 1, 26), dt.date(2025, 2, 8), dt.date(2025, 4, 27), dt.date(2025, 9, 28),
                      dt.date(2025, 10, 11)]
    national_day = next(p for p in periods if p["start"] == dt.date(2025, 10, 1))
    assert (national_day["end"], national_day["days"]) == (dt.date(2025, 10, 8), 8)


@pytest.mark.parametrize("role", ["advisor", "north_manager", "hall", "account_manager"])
def test_other_roles_are_refused(bank, web_as, role):
    assert web_as(getattr(bank, role)).get(MANAGE).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(MANAGE)
    assert response.status_code == 302
    assert response.url.startswith("/login/")


def test_the_navigation_links_the_page_for_head_office_only(bank, web_as, client):
    assert 'href="/calendar/"' in web_as(bank.head_office).get("/").content.decode()
    client.logout()
    assert 'href="/calendar/"' not in web_as(bank.advisor).get("/").content.decode()


def test_manual_range_entry_marks_days_off(bank, web_as):
    client = web_as(bank.head_office)
    response = client.post("/calendar/manual/", {"start": "2027-10-01", "end": "2027-10-07", "kind": "off",
                                                 "name": "国庆节"})
    assert response.status_code == 302
    assert response.url == "/calendar/?year=2027"
    rows = CalendarDay.objects.filter(date__range=(dt.date(2027, 10, 1), dt.date(2027, 10, 7)))
    assert {(r.is_business_day, r.name, r.source, r.updated_by_id) for r in rows} == {
        (False, "国庆节", "manual", bank.head_office.pk)}
    page = client.get(response.url).content.decode()
    assert "已录入 7 天" in page
    assert "人工录入" in page


def test_manual_single_worked_date_and_undo(bank, web_as):
    client = web_as(bank.admin)
    client.post("/calendar/manual/", {"start": "2027-09-26", "kind": "work", "name": "国庆节调休上班"})
    assert services.is_business_day(dt.date(2027, 9, 26)) is True
    client.post("/calendar/manual/", {"start": "2027-09-26", "kind": "reset"})
    assert services.is_business_day(dt.date(2027, 9, 26)) is False
    assert CalendarDay.objects.get(date=dt.date(2027, 9, 26)).source == "fallback"


@pytest.mark.parametrize("data, message", [
    ({"start": "2027-10-07", "end": "2027-10-01", "kind": "off"}, "结束日期不能早于开始日期"),
    ({"start": "", "kind": "off"}, "请填写开始日期"),
    ({"start": "2027-02-30", "kind": "off"}, "请按 YYYY-MM-DD 填写开始日期"),
])
def test_manual_entry_errors_say_what_to_fix(bank, web_as, data, message):
    response = web_as(bank.head_office).post("/calendar/manual/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CalendarDay.objects.filter(source="manual").exists()


def test_other_roles_cannot_post_entries(bank, web_as):
    client = web_as(bank.north_manager)
    assert client.post("/calendar/manual/", {"start": "2027-10-01", "kind": "off"}).status_code == 403
    assert client.post("/calendar/upload/", {}).status_code == 403
    assert not CalendarDay.objects.filter(source="manual").exists()


def upload(client, text: str, encoding: str = "utf-8"):
    file = SimpleUploadedFile("calendar.csv", text.encode(encoding), content_type="text/csv")
    return client.post("/calendar/upload/", {"file": file})


def test_a_good_file_is_applied(bank, web_as):
    client = web_as(bank.head_office)
    response = upload(client, "日期,是否工作日,名称\n2027-02-20,是,春节调休上班\n2027/02/11,否,春节\n", "gbk")
    assert response.status_code == 302
    assert services.is_business_day(dt.date(2027, 2, 20)) is True
    assert services.is_business_day(dt.date(2027, 2, 11)) is False
    assert "文件已导入：2 行，共 2 天" in client.get(response.url).content.decode()


def test_a_bad_file_reports_row_numbers_and_applies_nothing(bank, web_as):
    response = upload(web_as(bank.head_office),
                      "date,is_business_day,name\n2027-02-20,是,\n2027-02-31,否,\n2027-02-22,maybe,\n")
    assert response.status_code == 200
    page = response.content.decode()
    assert "文件未导入" in page
    assert "第 3 行" in page and "第 4 行" in page
    assert "第 2 行" not in page
    assert not CalendarDay.objects.filter(source="manual").exists()


def test_upload_without_a_file_asks_for_one(bank, web_as):
    response = web_as(bank.head_office).post("/calendar/upload/", {})
    assert "请选择要上传的 CSV 文件" in response.content.decode()


def test_reseed_keeps_manual_entries(bank, web_as):
    services.set_manual_days(start=dt.date(2027, 2, 20), end=dt.date(2027, 2, 20), is_business_day=True, name="")
    response = web_as(bank.head_office).post("/calendar/reseed/")
    assert response.status_code == 302
    assert services.is_business_day(dt.date(2027, 2, 20)) is True


def test_admin_lists_calendar_days_and_edits_become_manual(bank, client):
    from wealthcrm.org.models import Staff

    superuser = Staff.objects.create_superuser(username="root_calendar", password="x-Calendar-2026", email="")
    client.force_login(superuser)
    assert client.get("/admin/calendar/calendarday/", {"source__exact": "fallback"}).status_code == 200
    response = client.post("/admin/calendar/calendarday/2027-02-20/change/",
                           {"is_business_day": "on", "name": "春节调休上班"})
    assert response.status_code == 302
    row = CalendarDay.objects.get(date=dt.date(2027, 2, 20))
    assert (row.is_business_day, row.source, row.updated_by) == (True, "manual", superuser)


def test_warnings_tag_for_other_head_office_pages(bank):
    template = Template("{% load calendar_tags %}{% calendar_warnings %}")
    assert "2027 年尚无官方节假日安排" in template.render(Context({"user": bank.head_office}))
    assert template.render(Context({"user": bank.advisor})).strip() == ""
