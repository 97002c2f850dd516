from django import template

from tiers.models import TierChange

register = template.Library()

HISTORY_ROWS = 12


@register.inclusion_tag("tiers/_tier_history.html")
def tier_history(client):
    """``{% load tiers_tags %}{% tier_history client %}``: the client's latest tier changes (client 360 page).

    The caller has already checked that the client is visible, so the history of that client is too.
    """
    return {"changes": list(TierChange.objects.filter(client=client).order_by("-effective_date", "-id")[:HISTORY_ROWS])}
