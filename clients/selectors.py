"""Read-side helpers of the clients pages that other figures do not need (the rules of what is due live on the
querysets in ``clients.models``)."""

from datetime import date

from django.db.models import Count, DecimalField, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from clients.models import Client
from wealthcrm.tiering import amount_tier


def _per_household(members, aggregate, output_field):
    rows = members.filter(household=OuterRef("household")).order_by().values("household")
    return Coalesce(Subquery(rows.annotate(value=aggregate).values("value")), Value(0), output_field=output_field)


def with_households(clients, *, visible):
    """Annotate each row of ``clients`` with its household's figures as the viewer may know them.

    ``household_aum`` is the sum of the AUM of the members in the viewer's scope (``visible``: the viewer's
    ``Client.objects.visible_to``), the row itself included; ``household_hidden`` counts the members outside it.
    A family often spans advisors and branches, and a member's assets are that client's personal financial data
    (PRODUCT.md "Privacy"): a total over every member would disclose them to whoever sees one member — with one
    hidden member, to the fen. So the total covers what the viewer may see and says how many members it leaves
    out; head office sees every member and so the household's full total. Two subqueries per row: the query
    count does not grow with the rows.
    """
    money = DecimalField(max_digits=22, decimal_places=2)
    return clients.annotate(
        household_aum=_per_household(visible, Sum("aum"), money),
        household_hidden=(_per_household(Client.objects.all(), Count("id"), IntegerField())
                          - _per_household(visible, Count("id"), IntegerField())))


def attach_household_tiers(rows, *, today: date) -> list:
    """Each row's ``household_tier``: the tier its ``household_aum`` would have under the floors in force (one
    policy lookup for all rows); ``None`` without a household or a policy."""
    rows = list(rows)
    tier_of = amount_tier(today)
    for row in rows:
        row.household_tier = tier_of(row.household_aum) if tier_of and row.household_id else None
    return rows
