"""The bank's business-day calendar: seeding, reads, manual corrections and coverage.

Every date here is a calendar date in Asia/Shanghai. Reads go to the ``CalendarDay`` table (one query per range);
a date the table lacks is answered by the same rules that seed it (``rules.compute_day``), without writing.
"""

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _

from wealthcrm.calendar import rules, seeding
from wealthcrm.calendar.choices import DaySource
from wealthcrm.calendar.models import CalendarDay

# The referral SLA and every "business day" are defined in the bank's zone, whatever the server runs in.
BANK_TZ = ZoneInfo("Asia/Shanghai")
MAX_RANGE_DAYS = 366
# No real arrangement closes the bank this long; beyond it the table is broken, not the query.
MAX_SCAN_DAYS = 3660


# --- seeding -------------------------------------------------------------------------------------------------

def seed_year(year: int) -> int:
    """Write every day of ``year`` from the rules (official data, else fallback); manual rows are kept.

    Idempotent: one bulk upsert. Returns the number of rows written.
    """
    return seeding.seed_years(CalendarDay, [year])


def seed_years(first: int, last: int) -> int:
    """``seed_year`` for every year from ``first`` to ``last`` inclusive."""
    return seeding.seed_years(CalendarDay, range(first, last + 1))


# --- reads ---------------------------------------------------------------------------------------------------

def span_days(start: dt.date, end: dt.date):
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def _business_map(start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    """Whether each day of [start, end] is a business day: one query, rules for dates the table lacks."""
    stored = dict(CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "is_business_day"))
    if len(stored) <= (end - start).days:
        for day in span_days(start, end):
            if day not in stored:
                stored[day] = rules.compute_day(day).is_business_day
    return stored


def is_business_day(day: dt.date) -> bool:
    return _business_map(day, day)[day]


def _walk(day: dt.date, *, count: int, step: int) -> dt.date:
    """The ``count``-th business day strictly after (step 1) or before (step -1) ``day``."""
    window = max(31, count * 2 + 14)
    cursor, found, scanned = day, 0, 0
    while scanned < MAX_SCAN_DAYS + count * 2:
        if step > 0:
            lo, hi = cursor + dt.timedelta(days=1), cursor + dt.timedelta(days=window)
        else:
            lo, hi = cursor - dt.timedelta(days=window), cursor - dt.timedelta(days=1)
        days = _business_map(lo, hi)
        for candidate in sorted(days, reverse=step < 0):
            if days[candidate]:
                found += 1
                if found == count:
                    return candidate
        cursor = hi if step > 0 else lo
        scanned += window
    raise ValueError(f"no business day within {scanned} days of {day}: check the calendar table")


def next_business_day(day: dt.date) -> dt.date:
    """The first business day strictly after ``day``."""
    return _walk(day, count=1, step=1)


def add_business_days(day: dt.date, n: int) -> dt.date:
    """The ``n``-th business day after ``day`` (before it when ``n`` is negative).

    ``n == 0`` gives ``day`` itself when it is a business day, else the next business day.
    """
    if n == 0:
        return day if is_business_day(day) else next_business_day(day)
    return _walk(day, count=abs(n), step=1 if n > 0 else -1)


def business_days_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """Business days of the inclusive range [start, end], in order."""
    if end < start:
        return []
    days = _business_map(start, end)
    return [day for day in sorted(days) if days[day]]


def year_days(year: int) -> list[dict]:
    """Every day of ``year`` for display: ``date, is_business_day, name, source`` (stored, else by rule)."""
    stored = {
        row["date"]: row
        for row in CalendarDay.objects.filter(date__year=year).values("date", "is_business_day", "name", "source")
    }
    return [stored.get(rule.date) or rule._asdict() for rule in rules.compute_year(year)]


def holiday_periods(days: list[dict]) -> list[dict]:
    """Group ``year_days`` output into what a notice lists: runs of days off around a holiday, and worked weekends.

    Each item: ``{"kind": "off" | "work", "start", "end", "days", "name", "sources"}``; a run of days off counts
    only when it holds a holiday (a named day, or a weekday off), so plain weekends are left out. ``name`` joins
    the run's distinct holiday names ("国庆节、中秋节"), without the (补假) marks.
    """
    periods, run = [], []

    def close_run():
        if run and any(d["name"] or d["date"].weekday() < 5 for d in run):
            periods.append({
                "kind": "off", "start": run[0]["date"], "end": run[-1]["date"], "days": len(run),
                "name": "、".join(dict.fromkeys(
                    d["name"].split("（")[0] for d in run if d["name"] and not d["name"].startswith("休息日"))),
                "sources": sorted({d["source"] for d in run}),
            })
        run.clear()

    for day in days:
        if not day["is_business_day"]:
            run.append(day)
            continue
        close_run()
        if day["date"].weekday() >= 5:
            periods.append({"kind": "work", "start": day["date"], "end": day["date"], "days": 1,
                            "name": day["name"], "sources": [day["source"]]})
    close_run()
    return periods


def _year_summaries(first: int, last: int) -> dict[int, dict]:
    """Per year: rows by source (one grouped query) and the year's source.

    A year is ``manual`` as soon as head office has entered anything for it (they enter the published
    arrangement, so the rest of the year stands), else the source of most of its rows; a year with no rows
    takes the source its rules would give.
    """
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        CalendarDay.objects.filter(date__range=(dt.date(first, 1, 1), dt.date(last, 12, 31)))
        .annotate(year=ExtractYear("date"))
        .values_list("year", "source")
        .annotate(n=Count("pk"))
    )
    for year, source, n in rows:
        counts[year][source] = n
    summaries = {}
    for year in range(first, last + 1):
        by_source = counts.get(year, {})
        if by_source.get(DaySource.MANUAL):
            source = DaySource.MANUAL
        elif by_source:
            source = max(by_source, key=by_source.get)
        else:
            source = rules.year_source(year)
        summaries[year] = {"source": str(source), "stored_days": sum(by_source.values()),
                           "by_source": dict(by_source)}
    return summaries


def sources_between(start: dt.date, end: dt.date) -> dict[str, str]:
    """``{"2026": "official", ...}`` for every year the range touches."""
    return {str(year): summary["source"] for year, summary in _year_summaries(start.year, end.year).items()}


# --- close of business and the referral SLA -------------------------------------------------------------------

def close_time() -> dt.time:
    value = getattr(settings, "BUSINESS_CLOSE_TIME", "18:00")
    return value if isinstance(value, dt.time) else dt.time.fromisoformat(value)


def close_of_business(day: dt.date) -> dt.datetime:
    """Close of business on ``day``: ``BUSINESS_CLOSE_TIME`` (default 18:00) in Asia/Shanghai, aware."""
    return dt.datetime.combine(day, close_time(), tzinfo=BANK_TZ)


def local_date(moment: dt.datetime) -> dt.date:
    """The Asia/Shanghai calendar date of an aware ``moment``."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("moment must be timezone-aware")
    return moment.astimezone(BANK_TZ).date()


def next_business_day_close(moment: dt.datetime) -> dt.datetime:
    """The referral follow-up deadline (API.md ``sla_due_at``, PRODUCT.md "within one business day").

    Close of business on the first business day strictly after the Asia/Shanghai date of ``moment``: a
    referral on Friday (any hour, even after 18:00) is due Monday 18:00; one on the eve of a holiday is due
    at 18:00 on the first working day after it. ``moment`` must be aware; a UTC instant counts by its
    Shanghai date (2025-03-03T17:30Z is 2025-03-04 in Shanghai, so due 2025-03-05 18:00).
    """
    return close_of_business(next_business_day(local_date(moment)))


# --- manual entries ------------------------------------------------------------------------------------------

def _check_range(start, end, *, start_field: str = "start", end_field: str = "end") -> None:
    if not isinstance(start, dt.date):
        raise ValidationError({start_field: _("请填写开始日期。")})
    if not isinstance(end, dt.date):
        raise ValidationError({end_field: _("请填写结束日期。")})
    if end < start:
        raise ValidationError({end_field: _("结束日期不能早于开始日期。")})
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise ValidationError({end_field: _("一次最多录入 %(max)s 天，请缩短日期范围。") % {"max": MAX_RANGE_DAYS}})


def default_name(is_business_day: bool) -> str:
    return rules.WORKED_WEEKEND_SUFFIX if is_business_day else _("放假")


def write_manual(entries: dict[dt.date, tuple[bool, str]], *, actor) -> int:
    """Write manual entries ``{date: (is_business_day, name)}`` in one statement; returns the days written."""
    objs = [
        CalendarDay(date=day, is_business_day=business, name=name, source=DaySource.MANUAL, updated_by=actor)
        for day, (business, name) in sorted(entries.items())
    ]
    with transaction.atomic():
        seeding.lock_calendar()
        CalendarDay.objects.bulk_create(
            objs, batch_size=1000, update_conflicts=True, unique_fields=["date"],
            update_fields=["is_business_day", "name", "source", "updated_at", "updated_by"],
        )
    return len(objs)


def set_manual_days(*, start: dt.date, end: dt.date, is_business_day: bool, name: str = "", actor=None) -> int:
    """Enter the official arrangement by hand: every date of [start, end] off (or worked), source ``manual``.

    Manual rows win over official and fallback data and survive reseeding. Returns the number of days written.
    """
    _check_range(start, end)
    name = (name or "").strip() or default_name(is_business_day)
    if len(name) > 100:
        raise ValidationError({"name": _("名称最多 100 个字。")})
    entries = {day: (bool(is_business_day), name) for day in span_days(start, end)}
    return write_manual(entries, actor=actor)


@transaction.atomic
def reset_days(*, start: dt.date, end: dt.date) -> int:
    """Undo manual entries in [start, end]: those days go back to the rules. Returns the days reset."""
    _check_range(start, end)
    seeding.lock_calendar()
    manual = CalendarDay.objects.filter(date__range=(start, end), source=DaySource.MANUAL)
    dates = list(manual.values_list("date", flat=True))
    manual.delete()
    seeding.upsert_rule_rows(CalendarDay, [rules.compute_day(day) for day in span_days(start, end)])
    return len(dates)


# --- coverage ------------------------------------------------------------------------------------------------

def bank_today() -> dt.date:
    """Today in Asia/Shanghai."""
    return dt.datetime.now(BANK_TZ).date()


def _fallback_warning(year: int) -> str:
    return _(
        "%(year)s 年尚无官方节假日安排，目前按规则推算（仅含法定节假日及补假，不含调休上班）。"
        "国务院办公厅通常在上一年 11 月公布放假安排，公布后请总行在“工作日历”页录入放假日期和调休上班日期。"
    ) % {"year": year}


def coverage(today: dt.date | None = None) -> dict:
    """Calendar coverage of this year and next: ``{"ok", "years": {"2026": {"source", ...}}, "warnings"}``.

    ``ok`` is false while either year is ``fallback`` (no official arrangement, none entered): the
    referral SLA would then ignore 调休 and miss holiday extensions. One query; used by /health/ and pages.
    """
    today = today or bank_today()
    summaries = _year_summaries(today.year, today.year + 1)
    warnings = [_fallback_warning(year) for year, summary in summaries.items()
                if summary["source"] == DaySource.FALLBACK]
    return {
        "ok": not warnings,
        "today": today.isoformat(),
        "years": {str(year): summary for year, summary in summaries.items()},
        "warnings": warnings,
    }


def coverage_warnings(today: dt.date | None = None) -> list[str]:
    """Chinese messages for head-office pages; empty when this year and next have official or manual data."""
    return coverage(today)["warnings"]
