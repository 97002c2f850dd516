"""Pieces shared by the HTML forms of every app."""

import copy

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

# Dates typed as text in one explicit format: a native date/month picker shows the browser's locale
# (mm/dd/yyyy on an English browser), so the same page read differently from desk to desk.
DATE_INPUT = forms.DateInput(format="%Y-%m-%d", attrs={
    "placeholder": _("年-月-日"), "inputmode": "numeric", "pattern": r"\d{4}-\d{1,2}-\d{1,2}",
    "autocomplete": "off", "size": 12})
DATETIME_INPUT = forms.DateTimeInput(format="%Y-%m-%d %H:%M", attrs={
    "placeholder": _("年-月-日 时:分"), "pattern": r"\d{4}-\d{1,2}-\d{1,2}[ T]\d{1,2}:\d{2}",
    "autocomplete": "off", "size": 18})
MONTH_INPUT = forms.TextInput(attrs={
    "placeholder": _("年-月"), "inputmode": "numeric", "pattern": r"\d{4}-\d{1,2}", "autocomplete": "off", "size": 9})


def add_service_errors(form, exc: ValidationError) -> None:
    """Show a service's ``ValidationError`` on the form: on its field when the form has one, else at the top.

    The HTML twin of ``wealthcrm.api.raise_as_drf``.
    """
    for field, messages in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


def _attrs_html(attrs: dict) -> str:
    # django/forms/widgets/attrs.html: False leaves the attribute out, True writes its bare name
    return "".join(format_html(" {}", name) if value is True else format_html(' {}="{}"', name, str(value))
                   for name, value in attrs.items() if value is not False)


class FastSelect(forms.Select):
    """Django's ``Select``, the same HTML written in Python instead of a template per option: a filter listing a
    bank's advisors and units (2,000+ options) spent most of its page time in the template engine."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"', widget["name"]), _attrs_html(widget["attrs"]), ">"]
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('\n  <optgroup label="{}">', group_name))
            for option in group_choices:
                parts.append(format_html('\n  <option value="{}"', str(option["value"])))
                parts += [_attrs_html(option["attrs"]), format_html(">{}</option>\n", option["label"])]
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every part above is escaped by format_html


class StaffPicker(FastSelect):
    """The control of a filter by a member of staff: the drop-down while the people to choose from are few enough
    to read, else a search box over ``org:staff-picker`` (app.js) that fills a hidden field with the id picked.

    A head office chooses among 2,000 advisors: as options they were 100 KB of every list page and most of its time.
    The choices are read once, at most ``SEARCH_ABOVE + 1`` of them, so either way the page runs one query for them
    (and one more for the chosen person's name when the search box shows it)."""

    SEARCH_ABOVE = 100

    def __init__(self, attrs=None, *, roles=()):
        super().__init__(attrs)
        self.roles = sorted(roles)

    def render(self, name, value, attrs=None, renderer=None):
        if not hasattr(self.choices, "queryset"):  # choices given as a list: nothing to search
            return super().render(name, value, attrs, renderer)
        field = self.choices.field
        people = list(self.choices.queryset[: self.SEARCH_ABOVE + 1])
        if len(people) <= self.SEARCH_ABOVE:
            short = copy.copy(self)
            short.choices = [("", field.empty_label)] * (field.empty_label is not None)
            short.choices += [self.choices.choice(person) for person in people]
            return FastSelect.render(short, name, value, attrs, renderer)
        attrs = self.build_attrs(self.attrs, attrs)
        value = value[0] if isinstance(value, list | tuple) else value
        value = "" if value is None else str(value)
        chosen = self.choices.queryset.filter(pk=value).first() if value.isdigit() else None
        url = reverse("org:staff-picker") + (f"?roles={','.join(self.roles)}" if self.roles else "")
        box = {**attrs, "type": "search", "value": field.label_from_instance(chosen) if chosen else "",
               "placeholder": _("输入姓名或工号搜索"), "autocomplete": "off", "maxlength": 50}
        return format_html(
            '<div class="staff-picker" data-staff-picker="{}"><input type="hidden" name="{}" value="{}" data-staff-value>'
            '<input{}><ul class="staff-picker-results" hidden></ul></div>',
            url, name, value if chosen else "", mark_safe(_attrs_html(box)))  # noqa: S308 - escaped by _attrs_html
