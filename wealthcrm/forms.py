"""Pieces shared by the HTML forms of every app."""

from django.core.exceptions import ValidationError


def add_service_errors(form, exc: ValidationError) -> None:
    """Show a service's ``ValidationError`` on the form: on its field when the form has one, else at the top.

    The HTML twin of ``wealthcrm.api.raise_as_drf``.
    """
    for field, messages in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)
