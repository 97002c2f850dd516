"""Filters shared by every app's FilterSets (API and HTML list pages alike), and their scoped base.

Every FilterSet inherits :class:`ScopedFilterSet` and is built with ``request=request`` (the REST framework's
filter backend passes it; pages pass it themselves): its choice fields over org units and staff then offer only
what the request's user may look up (``visible_to``: the directory scope of ``wealthcrm/org/scope.py``), and a
value out of that scope is refused ("select a valid choice": a 400 on the API, an empty list on a page) instead
of filtering rows by it.
"""

import datetime as dt

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wealthcrm.forms import StaffPicker
from wealthcrm.money import WAN
from wealthcrm.org.models import Staff

# Timestamps the bank can hold: Asia/Shanghai before 1901 is local mean time (+08:05:43), PostgreSQL takes
# offsets up to ±15:59, and a year near 1 or 9999 overflows when converted to UTC.
EARLIEST = dt.datetime(1901, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))
LATEST = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)
MAX_OFFSET = dt.timedelta(hours=15, minutes=59)


def check_timestamp(value: dt.datetime | None) -> None:
    """Raise Django's ``ValidationError`` for a timestamp out of the range above (API.md: 400, field named)."""
    if value is None:
        return
    offset = value.utcoffset()
    if offset is not None and abs(offset) > MAX_OFFSET:
        raise forms.ValidationError(_("时区偏移须在 ±15:59 以内。"), code="offset")
    try:
        aware = value if offset is not None else timezone.make_aware(value)
        in_range = EARLIEST <= aware < LATEST
    except (OverflowError, ValueError):
        in_range = False
    if not in_range:
        raise forms.ValidationError(_("时间须在 1901 年至 9998 年之间。"), code="range")


class BoundedIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    def to_python(self, value):
        try:
            result = super().to_python(value)
        except OverflowError as exc:
            raise forms.ValidationError(_("时间须在 1901 年至 9998 年之间。"), code="range") from exc
        check_timestamp(result)
        return result


class BoundedIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 timestamp filter whose out-of-range values are a 400, not a database error."""

    field_class = BoundedIsoDateTimeField


class StrictBooleanSelect(forms.NullBooleanSelect):
    """Like Django's, but an unrecognised value reaches the field instead of silently becoming "any"."""

    def value_from_datadict(self, data, files, name):
        value = data.get(name)
        return {"2": True, "3": False, "unknown": None, "": None}.get(value, value)


class StrictBooleanField(forms.NullBooleanField):
    widget = StrictBooleanSelect

    def to_python(self, value):
        if value in (None, "") or isinstance(value, bool):
            return value if isinstance(value, bool) else None
        if str(value) in ("True", "true", "1"):
            return True
        if str(value) in ("False", "false", "0"):
            return False
        # API.md: an unknown filter value is a 400, never "no filter".
        raise forms.ValidationError(_("请选择有效的选项（true 或 false）。"), code="invalid_choice")


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class WanFilter(django_filters.NumberFilter):
    """An amount typed in 万, as the page around it reads amounts, compared in 元: × 10,000 in Decimal, exact to
    the fen (1.2345 万 is 12,345.00 元)."""

    def filter(self, qs, value):
        return super().filter(qs, value * WAN if value is not None else value)


class LocalDayFilter(django_filters.DateFilter):
    """A day (the bank's, Asia/Shanghai) bounding a timestamp field: ``bound="start"`` keeps rows from the start of
    the day, ``"end"`` up to its end. Compared as a timestamp range, so an index on the field serves it (a
    ``__date`` lookup converts every row first)."""

    def __init__(self, *args, bound: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.bound = bound

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        start = self.bound == "start"
        day = value if start else value + dt.timedelta(days=1) if value < dt.date.max else None
        # a day outside the timestamps the bank can hold bounds nothing, or everything
        if day is None or day >= LATEST.date():
            return qs.none() if start else qs
        if day <= EARLIEST.date():
            return qs if start else qs.none()
        moment = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
        return qs.filter(**{f"{self.field_name}__{'gte' if start else 'lt'}": moment})


class ScopedFilterSet(django_filters.FilterSet):
    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        user = getattr(request, "user", None)
        for declared in self.filters.values():
            # ModelChoiceFilter / ModelMultipleChoiceFilter: the choices come from their queryset.
            choices = getattr(declared, "queryset", None)
            if choices is not None and not callable(choices) and hasattr(choices, "visible_to"):
                declared.queryset = choices.visible_to(user)


def staff_filter(*, roles=None, **kwargs) -> django_filters.ModelChoiceFilter:
    """A member of staff by id (of ``roles``, if given), among those the user may look up (in a
    ``ScopedFilterSet``)."""
    staff = Staff.objects.order_by("org_unit__path", "username")
    kwargs.setdefault("queryset", staff.filter(role__in=sorted(roles)) if roles else staff)
    kwargs.setdefault("widget", StaffPicker(roles=roles or ()))  # thousands of staff at a bank's head office
    return django_filters.ModelChoiceFilter(**kwargs)
