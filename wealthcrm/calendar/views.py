"""Head-office pages of the business-day calendar: coverage, the year at a glance, manual entries, CSV upload."""

import calendar as stdlib_calendar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wealthcrm.calendar import manual_file, services
from wealthcrm.calendar.choices import DaySource
from wealthcrm.calendar.forms import CalendarFileForm, ManualDaysForm
from wealthcrm.org.choices import BANK_WIDE_ROLES
from wealthcrm.org.decorators import role_required

FIRST_YEAR = 2004


def _year_param(value, default: int) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return default
    return year if FIRST_YEAR <= year <= default + 5 else default


def _month_grids(year: int, days: list[dict]) -> list[dict]:
    by_date = {day["date"]: day for day in days}
    weeks_of = stdlib_calendar.Calendar(firstweekday=0).monthdatescalendar
    grids = []
    for month in range(1, 13):
        weeks = []
        for week in weeks_of(year, month):
            cells = []
            for date in week:
                day = by_date.get(date) if date.month == month else None
                if day is None:
                    cells.append(None)
                    continue
                weekend = date.weekday() >= 5
                if day["is_business_day"]:
                    kind = "work-weekend" if weekend else "work"
                else:
                    kind = "weekend" if weekend and not day["name"] else "holiday"
                cells.append({"day": date.day, "date": date, "kind": kind, "name": day["name"],
                              "manual": day["source"] == DaySource.MANUAL})
            weeks.append(cells)
        grids.append({"month": month, "weeks": weeks})
    return grids


def _render_manage(request, *, year=None, manual_form=None, upload_form=None, upload_errors=None):
    today = services.bank_today()
    coverage = services.coverage(today)
    if year is None:
        # Open on the year that needs attention, if any.
        fallback = [int(y) for y, summary in coverage["years"].items() if summary["source"] == DaySource.FALLBACK]
        year = _year_param(request.GET.get("year"), fallback[0] if fallback else today.year)
    days = services.year_days(year)
    year_source = services.sources_between(days[0]["date"], days[-1]["date"])[str(year)]
    source_labels = dict(DaySource.choices)
    context = {
        "year": year,
        "years": list(range(today.year + 2, FIRST_YEAR - 1, -1)),
        "coverage": coverage,
        "coverage_years": [
            {"year": int(y), "source": s["source"], "source_label": source_labels[s["source"]],
             "stored_days": s["stored_days"],
             "manual_days": s["by_source"].get(DaySource.MANUAL, 0)}
            for y, s in coverage["years"].items()
        ],
        "year_source": year_source,
        "year_source_label": source_labels[year_source],
        "periods": [
            {**period, "source_labels": [(s, source_labels[s]) for s in period["sources"]]}
            for period in services.holiday_periods(days)
        ],
        "business_day_count": sum(day["is_business_day"] for day in days),
        "months": _month_grids(year, days),
        "weekday_labels": [_("一"), _("二"), _("三"), _("四"), _("五"), _("六"), _("日")],
        "manual_form": manual_form or ManualDaysForm(),
        "upload_form": upload_form or CalendarFileForm(),
        "upload_errors": upload_errors or [],
    }
    return render(request, "calendar/manage.html", context)


@role_required(*BANK_WIDE_ROLES)
def manage(request):
    return _render_manage(request)


def _back_to(year: int):
    return redirect(f"{reverse('calendar:manage')}?year={year}")


@require_POST
@role_required(*BANK_WIDE_ROLES)
def manual_entry(request):
    form = ManualDaysForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["kind"] == ManualDaysForm.RESET:
                count = services.reset_days(start=data["start"], end=data["end"])
                messages.success(request, _("已撤销 %(count)s 天的人工录入，恢复为自动数据。") % {"count": count})
            else:
                count = services.set_manual_days(
                    start=data["start"], end=data["end"], is_business_day=data["kind"] == ManualDaysForm.WORK,
                    name=data["name"], actor=request.user,
                )
                messages.success(request, _("已录入 %(count)s 天（%(start)s 至 %(end)s）。") % {
                    "count": count, "start": data["start"].isoformat(), "end": data["end"].isoformat()})
            return _back_to(data["start"].year)
        except ValidationError as exc:
            form.add_error(None, exc)
    year = form.cleaned_data.get("start").year if form.cleaned_data.get("start") else None
    return _render_manage(request, year=year, manual_form=form)


@require_POST
@role_required(*BANK_WIDE_ROLES)
def upload(request):
    form = CalendarFileForm(request.POST, request.FILES)
    errors = []
    if form.is_valid():
        try:
            result = manual_file.import_manual_file(form.cleaned_data["file"], actor=request.user)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("文件已导入：%(rows)s 行，共 %(days)s 天。") % result)
            return redirect("calendar:manage")
    return _render_manage(request, upload_form=form, upload_errors=errors)


@require_POST
@role_required(*BANK_WIDE_ROLES)
def reseed(request):
    year = services.bank_today().year
    services.seed_years(year, year + 1)
    messages.success(request, _("已按最新官方数据重新生成 %(first)s–%(last)s 年日历（人工录入保持不变）。")
                     % {"first": year, "last": year + 1})
    return redirect("calendar:manage")
