from django import template

from wealthcrm.money import format_wan_yi

register = template.Library()


@register.filter
def wan_yi(amount):
    """Render an amount of CNY in 万/亿: ``{{ client.aum|wan_yi }}``."""
    return format_wan_yi(amount)
