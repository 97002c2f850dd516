"""The one birthday rule of the CRM (my day, the client 360 page and anywhere else a birthday is shown).

A client born on 29 February celebrates on 28 February in non-leap years (the bank's choice: the greeting goes
out in February, the month the client was born in, and never a day late).
"""

import calendar
import datetime as dt

from django.db.models import Q


def birthday_in(year: int, born: dt.date) -> dt.date:
    """The day ``born``'s birthday is celebrated in ``year`` (29 February → 28 February in non-leap years)."""
    if born.month == 2 and born.day == 29 and not calendar.isleap(year):
        return dt.date(year, 2, 28)
    return born.replace(year=year)


def next_birthday(born: dt.date, today: dt.date) -> dt.date:
    """The first celebrated birthday on or after ``today``."""
    this_year = birthday_in(today.year, born)
    return this_year if this_year >= today else birthday_in(today.year + 1, born)


def birthdays_within_q(start: dt.date, days: int, *, month: str = "birth_month", day: str = "birth_day") -> Q:
    """Rows (annotated with the birth ``month`` and ``day``) whose birthday is celebrated in
    ``[start, start + days]``, across a year end; 29 February counts on 28 February of a non-leap year."""
    q = Q(pk__in=[])
    for offset in range(days + 1):
        when = start + dt.timedelta(days=offset)
        q |= Q(**{month: when.month, day: when.day})
        if when.month == 2 and when.day == 28 and not calendar.isleap(when.year):
            q |= Q(**{month: 2, day: 29})
    return q
