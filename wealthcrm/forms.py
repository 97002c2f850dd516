"""Pieces shared by the HTML forms of every app."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Dates typed as text in one explicit format: a native date/month picker shows the browser's locale
# (mm/dd/yyyy on an English browser), so the same page read differently from desk to desk.
DATE_INPUT = forms.DateInput(format="%Y-%m-%d", attrs={
    "placeholder": _("年-月-日"), "inputmode": "numeric", "pattern": r"\d{4}-\d{1,2}-\d{1,2}",
    "autocomplete": "off", "size": 12})
DATETIME_INPUT = forms.DateTimeInput(format="%Y-%m-%d %H:%M", attrs={
    "placeholder": _("年-月-日 时:分"), "pattern": r"\d{4}-\d{1,2}-\d{1,2}[ T]\d{1,2}:\d{2}",
    "autocomplete": "off", "size": 18})


def add_service_errors(form, exc: ValidationError) -> None:
    """Show a service's ``ValidationError`` on the form: on its field when the form has one, else at the top.

    The HTML twin of ``wealthcrm.api.raise_as_drf``.
    """
    for field, messages in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)
