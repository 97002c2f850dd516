"""The business-day rules as pure functions: no models, no database.

Both ``services`` and the seeding data migration use these, so the migration keeps working against historical
models. Source of truth per year, first that applies:

1. ``chinesecalendar`` (2004–2026 in 1.11): the State Council arrangement, 调休 working weekends included.
2. ``holidays`` when it carries the State Council arrangement for the year (its ``special_public_holidays``),
   so that upgrading either maintained library brings next year's official data in.
3. Fallback: weekends off plus the statutory holidays the ``holidays`` package computes by rule (lunar ones
   included, and the 补假 on a working day that the holiday regulation grants when a holiday falls on a
   weekend), with no 调休 — nobody can guess which weekends the State Council will swap.
"""

import datetime as dt
from functools import lru_cache
from typing import NamedTuple

import chinese_calendar
import holidays

# Plain strings, not DaySource, so that the migration does not depend on today's choices module.
OFFICIAL = "official"
FALLBACK = "fallback"

WORKED_WEEKEND_SUFFIX = "调休上班"


class DayRule(NamedTuple):
    date: dt.date
    is_business_day: bool
    name: str
    source: str


def _year_dates(year: int):
    day = dt.date(year, 1, 1)
    while day.year == year:
        yield day
        day += dt.timedelta(days=1)


def _chinese_name(english: str | None) -> str:
    if not english:
        return ""
    for holiday in chinese_calendar.Holiday:
        if holiday.value == english:
            return holiday.chinese
    return english


def _from_chinesecalendar(year: int) -> tuple[DayRule, ...] | None:
    try:
        chinese_calendar.get_holiday_detail(dt.date(year, 1, 1))
        chinese_calendar.get_holiday_detail(dt.date(year, 12, 31))
    except NotImplementedError:
        return None
    rows = []
    for day in _year_dates(year):
        is_holiday, english = chinese_calendar.get_holiday_detail(day)
        name = _chinese_name(english)
        if not is_holiday and day.weekday() >= 5:
            name = f"{name}{WORKED_WEEKEND_SUFFIX}" if name else WORKED_WEEKEND_SUFFIX
        rows.append(DayRule(day, not is_holiday, name, OFFICIAL))
    return tuple(rows)


def _holidays_has_arrangement(year: int) -> bool:
    from holidays.countries.china import ChinaStaticHolidays

    return year in getattr(ChinaStaticHolidays, "special_public_holidays", {})


def _from_holidays(year: int, *, with_arrangement: bool) -> tuple[DayRule, ...]:
    # The next year's notice can move a December weekend into work (e.g. 2005-12-31), hence year + 1.
    calendar = holidays.China(years=(year, year + 1), language="zh_CN")
    source = OFFICIAL if with_arrangement else FALLBACK
    rows = []
    for day in _year_dates(year):
        weekend = day.weekday() >= 5
        name = calendar.get(day, "")
        if with_arrangement and weekend and day in calendar.weekend_workdays:
            rows.append(DayRule(day, True, WORKED_WEEKEND_SUFFIX, source))
        else:
            rows.append(DayRule(day, not weekend and day not in calendar, name, source))
    return tuple(rows)


@lru_cache(maxsize=64)
def compute_year(year: int) -> tuple[DayRule, ...]:
    """Every day of ``year`` by the rules above (cached: the answer only changes with the installed packages)."""
    official = _from_chinesecalendar(year)
    if official is not None:
        return official
    return _from_holidays(year, with_arrangement=_holidays_has_arrangement(year))


def compute_day(day: dt.date) -> DayRule:
    return compute_year(day.year)[day.timetuple().tm_yday - 1]


def year_source(year: int) -> str:
    """The source the rules give ``year`` (before any manual entry)."""
    return compute_year(year)[0].source
