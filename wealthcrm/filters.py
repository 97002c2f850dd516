"""Filters shared by every app's FilterSets (API and HTML list pages alike), and their scoped base.

Every FilterSet inherits :class:`ScopedFilterSet` and is built with ``request=request`` (the REST framework's
filter backend passes it; pages pass it themselves): its choice fields over org units and staff then offer only
what the request's user may look up (``visible_to``: the directory scope of ``wealthcrm/org/scope.py``), and a
value out of that scope is refused ("select a valid choice": a 400 on the API, an empty list on a page) instead
of filtering rows by it.
"""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from wealthcrm.org.models import Staff


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
    return django_filters.ModelChoiceFilter(**kwargs)
