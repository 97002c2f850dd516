import datetime as dt
import io
from zoneinfo import ZoneInfo

import holidays
import pytest
from django.core.exceptions import ValidationError

from wealthcrm.calendar import manual_file, rules, services
from wealthcrm.calendar.choices import DaySource
from wealthcrm.calendar.models import CalendarDay

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
D = dt.date


def days_of(year):
    day = D(year, 1, 1)
    while day.year == year:
        yield day
        day += dt.timedelta(days=1)


# --- the official arrangement, checked against a second maintained library ----------------------------------

@pytest.mark.parametrize("year", range(2012, 2027))
def test_every_day_matches_the_holidays_package_including_tiaoxiu(year):
    # holidays.China expresses 调休 working weekends through `weekend_workdays` / `is_working_day`; the next
    # year's notice can move a December weekend, hence the neighbouring years.
    other = holidays.China(years=range(year - 1, year + 2))
    mismatches = [(day, services.is_business_day(day), other.is_working_day(day))
                  for day in days_of(year) if services.is_business_day(day) != other.is_working_day(day)]
    assert mismatches == []


@pytest.mark.parametrize("year", range(2012, 2027))
def test_seeded_years_are_complete_and_official(year):
    rows = CalendarDay.objects.filter(date__year=year)
    assert rows.count() == len(list(days_of(year)))
    assert set(rows.values_list("source", flat=True)) == {DaySource.OFFICIAL}


@pytest.mark.parametrize("day, business", [
    (D(2024, 2, 4), True),    # Sunday worked before the 2024 Spring Festival
    (D(2024, 2, 9), True),    # 除夕 2024 was not yet a statutory holiday
    *[(D(2024, 2, d), False) for d in range(10, 18)],
    (D(2024, 2, 18), True),   # Sunday worked after it
    (D(2025, 1, 26), True),   # Sunday worked before the 2025 Spring Festival
    *[(D(2025, 1, 28) + dt.timedelta(days=n), False) for n in range(8)],  # 除夕 2025-01-28 … 02-04
    (D(2025, 2, 8), True),    # Saturday worked after it
    *[(D(2023, 9, 29) + dt.timedelta(days=n), False) for n in range(8)],  # Mid-Autumn + National Day 2023
    (D(2023, 10, 7), True),   # Saturday worked
    (D(2023, 10, 8), True),   # Sunday worked
    (D(2025, 9, 28), True),   # Sunday worked before National Day 2025
    *[(D(2025, 10, d), False) for d in range(1, 9)],
    (D(2025, 10, 11), True),  # Saturday worked after it
    (D(2026, 2, 14), True),   # Saturday worked before the 2026 Spring Festival
    (D(2026, 2, 23), False),
    (D(2026, 2, 28), True),
    (D(2015, 9, 3), False),   # the one-off 70th anniversary holiday
    (D(2025, 3, 4), True),    # an ordinary Tuesday
    (D(2025, 3, 8), False),   # an ordinary Saturday
])
def test_known_days_of_the_official_arrangement(day, business):
    assert services.is_business_day(day) is business


def test_names_are_chinese_and_mark_worked_weekends():
    assert CalendarDay.objects.get(date=D(2024, 2, 12)).name == "春节"
    assert CalendarDay.objects.get(date=D(2024, 2, 4)).name == "春节调休上班"
    assert CalendarDay.objects.get(date=D(2025, 3, 8)).name == ""


# --- years without official data: the rule-based fallback ---------------------------------------------------

def test_2027_premise_no_library_has_the_official_arrangement():
    with pytest.raises(NotImplementedError):
        import chinese_calendar

        chinese_calendar.is_workday(D(2027, 1, 4))
    assert rules.year_source(2027) == DaySource.FALLBACK, "a library now knows 2027: update these tests"


@pytest.mark.parametrize("day", [
    D(2027, 1, 1),                                                # New Year
    *[D(2027, 2, d) for d in range(5, 9)],                         # 除夕 (eve) to day 3 of Spring Festival
    D(2027, 2, 9), D(2027, 2, 10),                                 # 补假 for the days that fell on the weekend
    D(2027, 4, 5),                                                 # Qingming
    D(2027, 5, 1), D(2027, 5, 2), D(2027, 5, 3), D(2027, 5, 4),   # Labour Day (+ 补假)
    D(2027, 6, 9),                                                 # Dragon Boat
    D(2027, 9, 15),                                                # Mid-Autumn
    *[D(2027, 10, d) for d in range(1, 6)],                        # National Day (+ 补假)
])
def test_2027_statutory_holidays_are_off_by_rule(day):
    assert services.is_business_day(day) is False
    assert CalendarDay.objects.get(date=day).source == DaySource.FALLBACK


def test_2027_has_no_tiaoxiu_weekends_are_simply_off():
    saturdays_and_sundays = [day for day in days_of(2027) if day.weekday() >= 5]
    assert not any(services.is_business_day(day) for day in saturdays_and_sundays)
    assert services.is_business_day(D(2027, 2, 11)) is True   # Thursday after the Spring Festival
    assert services.is_business_day(D(2027, 2, 4)) is True    # Thursday before the eve


def test_spring_festival_2027_is_computed_from_the_lunar_calendar():
    names = dict(CalendarDay.objects.filter(date__range=(D(2027, 2, 4), D(2027, 2, 11))).values_list("date", "name"))
    assert names[D(2027, 2, 5)] == "农历除夕"
    assert names[D(2027, 2, 6)] == "春节"
    assert names[D(2027, 2, 9)] == "春节（补假）"


def test_a_manual_entry_overrides_the_fallback_and_survives_reseeding(bank):
    head_office_user = bank.head_office
    services.set_manual_days(start=D(2027, 2, 20), end=D(2027, 2, 20), is_business_day=True,
                             name="春节调休上班", actor=head_office_user)
    assert services.is_business_day(D(2027, 2, 20)) is True
    services.seed_year(2027)
    row = CalendarDay.objects.get(date=D(2027, 2, 20))
    assert (row.is_business_day, row.source, row.updated_by) == (True, DaySource.MANUAL, head_office_user)
    assert CalendarDay.objects.filter(date__year=2027).count() == 365


def test_manual_wins_over_official_data_too():
    services.set_manual_days(start=D(2026, 3, 2), end=D(2026, 3, 3), is_business_day=False, name="临时停业")
    services.seed_years(2026, 2026)
    assert services.is_business_day(D(2026, 3, 2)) is False
    assert CalendarDay.objects.get(date=D(2026, 3, 3)).source == DaySource.MANUAL


def test_seeding_is_idempotent_and_fills_a_missing_year():
    CalendarDay.objects.filter(date__year=2027).delete()
    assert services.seed_year(2027) == 365
    services.seed_year(2027)
    assert CalendarDay.objects.filter(date__year=2027).count() == 365
    assert set(CalendarDay.objects.filter(date__year=2027).values_list("source", flat=True)) == {"fallback"}


def test_seeding_writes_with_one_upsert(django_assert_max_num_queries):
    with django_assert_max_num_queries(6):  # savepoint, lock, read manual dates, upsert, release
        services.seed_year(2026)


def test_dates_the_table_lacks_are_answered_by_the_same_rules():
    assert not CalendarDay.objects.filter(date__year=2030).exists()
    assert services.is_business_day(D(2030, 10, 1)) is False
    assert services.is_business_day(D(2030, 10, 8)) is True
    assert services.next_business_day(D(2030, 9, 30)) == D(2030, 10, 4)  # 10-01..03 Tue–Thu off


# --- reads -------------------------------------------------------------------------------------------------

def test_next_business_day_is_strictly_after(django_assert_num_queries):
    with django_assert_num_queries(1):
        assert services.next_business_day(D(2025, 3, 4)) == D(2025, 3, 5)
    assert services.next_business_day(D(2025, 3, 7)) == D(2025, 3, 10)
    assert services.next_business_day(D(2025, 9, 26)) == D(2025, 9, 28)   # the worked Sunday
    assert services.next_business_day(D(2025, 9, 30)) == D(2025, 10, 9)


def test_add_business_days():
    assert services.add_business_days(D(2025, 9, 30), 1) == D(2025, 10, 9)
    assert services.add_business_days(D(2025, 9, 30), 3) == D(2025, 10, 11)  # Thu, Fri, worked Saturday
    assert services.add_business_days(D(2025, 10, 9), -1) == D(2025, 9, 30)
    assert services.add_business_days(D(2025, 10, 4), 0) == D(2025, 10, 9)
    assert services.add_business_days(D(2025, 10, 9), 0) == D(2025, 10, 9)
    assert services.add_business_days(D(2025, 1, 1), 250) == max(
        services.business_days_between(D(2025, 1, 2), D(2026, 12, 31))[:250])


def test_business_days_between_is_inclusive_and_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        days = services.business_days_between(D(2025, 9, 27), D(2025, 10, 12))
    assert days == [D(2025, 9, 28), D(2025, 9, 29), D(2025, 9, 30), D(2025, 10, 9), D(2025, 10, 10),
                    D(2025, 10, 11)]
    assert services.business_days_between(D(2025, 3, 5), D(2025, 3, 4)) == []
    assert len(services.business_days_between(D(2024, 1, 1), D(2024, 12, 31))) == 251


# --- close of business and the referral SLA ----------------------------------------------------------------

@pytest.mark.parametrize("moment, due", [
    (dt.datetime(2025, 3, 4, 9, 30, tzinfo=SH), dt.datetime(2025, 3, 5, 18, tzinfo=SH)),      # Tuesday morning
    (dt.datetime(2025, 3, 4, 20, 30, tzinfo=SH), dt.datetime(2025, 3, 5, 18, tzinfo=SH)),     # Tuesday after 18:00
    (dt.datetime(2025, 3, 7, 15, 0, tzinfo=SH), dt.datetime(2025, 3, 10, 18, tzinfo=SH)),     # Friday afternoon
    (dt.datetime(2025, 3, 8, 11, 0, tzinfo=SH), dt.datetime(2025, 3, 10, 18, tzinfo=SH)),     # Saturday
    (dt.datetime(2025, 9, 30, 16, 0, tzinfo=SH), dt.datetime(2025, 10, 9, 18, tzinfo=SH)),    # holiday eve
    (dt.datetime(2025, 9, 26, 17, 0, tzinfo=SH), dt.datetime(2025, 9, 28, 18, tzinfo=SH)),    # worked Sunday next
    (dt.datetime(2025, 3, 3, 17, 30, tzinfo=dt.UTC), dt.datetime(2025, 3, 5, 18, tzinfo=SH)),  # 03-04 01:30 Shanghai
    (dt.datetime(2025, 3, 3, 15, 59, tzinfo=dt.UTC), dt.datetime(2025, 3, 4, 18, tzinfo=SH)),  # 03-03 23:59 Shanghai
    (dt.datetime(2027, 2, 4, 10, 0, tzinfo=SH), dt.datetime(2027, 2, 11, 18, tzinfo=SH)),     # fallback year
])
def test_next_business_day_close(moment, due):
    result = services.next_business_day_close(moment)
    assert result == due
    assert result.utcoffset() == dt.timedelta(hours=8)


def test_next_business_day_close_rejects_naive_datetimes():
    with pytest.raises(ValueError):
        services.next_business_day_close(dt.datetime(2025, 3, 4, 9, 30))


def test_close_of_business_follows_the_setting(settings):
    settings.BUSINESS_CLOSE_TIME = "17:30"
    assert services.close_of_business(D(2025, 3, 5)) == dt.datetime(2025, 3, 5, 17, 30, tzinfo=SH)
    moment = dt.datetime(2025, 3, 4, 9, tzinfo=SH)
    assert services.next_business_day_close(moment) == dt.datetime(2025, 3, 5, 17, 30, tzinfo=SH)


# --- manual entries ----------------------------------------------------------------------------------------

def test_set_manual_days_enters_a_range_off():
    assert services.set_manual_days(start=D(2027, 10, 1), end=D(2027, 10, 7), is_business_day=False,
                                    name="国庆节") == 7
    rows = CalendarDay.objects.filter(date__range=(D(2027, 10, 1), D(2027, 10, 7)))
    assert {(r.is_business_day, r.name, r.source) for r in rows} == {(False, "国庆节", "manual")}


@pytest.mark.parametrize("start, end, field", [
    (D(2027, 10, 7), D(2027, 10, 1), "end"),
    (D(2027, 1, 1), D(2028, 1, 2), "end"),  # 367 days
    (None, D(2027, 1, 1), "start"),
])
def test_set_manual_days_validates_the_range(start, end, field):
    with pytest.raises(ValidationError) as exc:
        services.set_manual_days(start=start, end=end, is_business_day=False, name="")
    assert field in exc.value.message_dict


def test_reset_days_returns_manual_days_to_the_rules():
    services.set_manual_days(start=D(2027, 2, 20), end=D(2027, 2, 21), is_business_day=True, name="")
    assert services.reset_days(start=D(2027, 2, 1), end=D(2027, 2, 28)) == 2
    row = CalendarDay.objects.get(date=D(2027, 2, 20))
    assert (row.is_business_day, row.source) == (False, DaySource.FALLBACK)


def csv_file(text: str, encoding: str = "utf-8") -> io.BytesIO:
    return io.BytesIO(text.encode(encoding))


def test_import_accepts_chinese_headers_values_ranges_and_gbk():
    text = "日期,是否工作日,名称\n2027/2/20,是,春节调休上班\n2027-02-09,否,春节\n\n2027-05-05,0,劳动节\n"
    assert manual_file.import_manual_file(csv_file(text, "gbk")) == {"rows": 3, "days": 3}
    assert services.is_business_day(D(2027, 2, 20)) is True
    assert services.is_business_day(D(2027, 5, 5)) is False
    ranges = "start,end,is_business_day,name\n2027-10-01,2027-10-07,false,国庆节\n2027-09-26,,true,\n"
    assert manual_file.import_manual_file(csv_file("\ufeff" + ranges)) == {"rows": 2, "days": 8}
    assert CalendarDay.objects.get(date=D(2027, 9, 26)).name == "调休上班"
    assert CalendarDay.objects.filter(source="manual").count() == 11


def test_import_reports_every_bad_row_and_applies_nothing():
    text = ("date,is_business_day,name\n"
            "2027-02-20,是,春节调休上班\n"
            "2027-13-01,是,\n"
            "2027-02-21,也许,\n"
            ",否,\n"
            "2027-02-20,否,冲突\n")
    with pytest.raises(ValidationError) as exc:
        manual_file.import_manual_file(csv_file(text))
    messages = exc.value.messages
    assert [m.split("：")[0] for m in messages] == ["第 3 行", "第 4 行", "第 5 行", "第 6 行"]
    assert "YYYY-MM-DD" in messages[0]
    assert "是/否" in messages[1]
    assert "第 2 行矛盾" in messages[3]
    assert not CalendarDay.objects.filter(source="manual").exists()


@pytest.mark.parametrize("text, fragment", [
    ("", "文件为空"),
    ("日期,名称\n2027-02-20,春节\n", "第 1 行"),
    ("date,is_business_day,name\n", "没有数据行"),
])
def test_import_explains_unusable_files(text, fragment):
    with pytest.raises(ValidationError) as exc:
        manual_file.import_manual_file(csv_file(text))
    assert fragment in " ".join(exc.value.messages)


# --- coverage ------------------------------------------------------------------------------------------------

def test_coverage_warns_while_next_year_is_fallback():
    report = services.coverage()
    assert report["ok"] is False
    assert report["years"]["2026"]["source"] == "official"
    assert report["years"]["2027"]["source"] == "fallback"
    assert len(report["warnings"]) == 1 and "2027" in report["warnings"][0]
    assert services.coverage_warnings() == report["warnings"]


def test_coverage_is_ok_for_official_years_and_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        report = services.coverage(today=D(2025, 6, 1))
    assert report["ok"] is True and report["warnings"] == []


def test_coverage_turns_manual_once_head_office_enters_next_years_arrangement():
    services.set_manual_days(start=D(2027, 2, 5), end=D(2027, 2, 13), is_business_day=False, name="春节")
    report = services.coverage()
    assert report["years"]["2027"]["source"] == "manual"
    assert report["ok"] is True


def test_health_reports_calendar_coverage(bank, client):
    client.force_login(bank.head_office)
    body = client.get("/health/").json()
    assert body["calendar"]["ok"] is False
    assert body["calendar"]["years"]["2027"]["source"] == "fallback"
    assert body["status"] == "degraded"


def test_a_year_only_the_holidays_package_knows_counts_as_official():
    # chinesecalendar starts in 2004; holidays carries the State Council notices from 2001.
    assert rules.year_source(2003) == DaySource.OFFICIAL
    assert services.is_business_day(D(2003, 2, 8)) is True   # Saturday worked before the 2003 Spring Festival
    assert services.is_business_day(D(2003, 2, 3)) is False


def test_holiday_periods_join_names_of_a_combined_holiday():
    periods = services.holiday_periods(services.year_days(2025))
    national_day = next(p for p in periods if p["start"] == D(2025, 10, 1))
    assert national_day["name"] == "国庆节、中秋"
    assert national_day["days"] == 8
