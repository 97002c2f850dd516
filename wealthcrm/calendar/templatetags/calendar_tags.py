"""``{% load calendar_tags %}{% calendar_warnings %}``: the calendar coverage alert for head-office pages."""

from django import template

from wealthcrm.calendar import services
from wealthcrm.org.choices import BANK_WIDE_ROLES

register = template.Library()


@register.inclusion_tag("calendar/_coverage_warnings.html", takes_context=True)
def calendar_warnings(context):
    user = context.get("user")
    show = bool(user and user.is_authenticated and user.has_role(*BANK_WIDE_ROLES))
    return {"calendar_warnings": services.coverage_warnings() if show else []}
