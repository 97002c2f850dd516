"""Filters shared by every app's FilterSets (API and HTML list pages alike)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _


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
