"""A tier change is scoped by its client's unit, copied onto the row (``client_unit``) and kept by triggers: the
history follows the client to another branch, whichever way the client is moved."""

import datetime as dt

import pytest

from clients.models import Client
from tests.factories import ClientFactory
from tiers.models import TierChange

pytestmark = pytest.mark.django_db


def change(client):
    return TierChange.objects.create(client=client, from_tier="sub_branch", to_tier="branch", direction="upgrade",
                                     aum=25_000_000, effective_date=dt.date(2025, 3, 1), reason="nightly")


def visible(user):
    return set(TierChange.objects.visible_to(user).values_list("pk", flat=True))


def test_the_history_follows_the_client(bank, web_as):
    client = ClientFactory(org_unit=bank.north_outlet, advisor=bank.account_manager)
    moved = change(client)
    assert TierChange.objects.filter(pk=moved.pk).values_list("client_unit", flat=True).get() == bank.north_outlet.pk
    assert moved.pk in visible(bank.north_manager) and moved.pk not in visible(bank.south_manager)

    Client.objects.filter(pk=client.pk).update(org_unit=bank.south_sub)
    assert moved.pk in visible(bank.south_manager) and moved.pk not in visible(bank.north_manager)
    page = web_as(bank.north_manager).get("/tiers/changes/")
    assert client.name not in page.content.decode()

    client.refresh_from_db()
    client.org_unit = bank.north_sub
    client.save()
    assert moved.pk in visible(bank.north_manager) and moved.pk not in visible(bank.south_manager)
    # the filter by unit reads the same column
    page = web_as(bank.north_manager).get("/tiers/changes/", {"org_unit": bank.north_sub.pk})
    assert client.name in page.content.decode()


def test_an_advisor_still_sees_the_history_of_their_own_clients(bank):
    client = ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor)
    mine = change(client)
    assert visible(bank.advisor) == {mine.pk}
    assert visible(bank.advisor2) == set()
