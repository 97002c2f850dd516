"""Callback plans by tier (PRODUCT.md "Contacts and callbacks"): a client is due when no effective contact
falls within their tier's interval (总行级 30 days, 分行级 90, 支行级 180 by default)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from clients.models import CallbackPlan, Client, Contact
from tests.factories import ClientFactory


@pytest.fixture
def now():
    return timezone.now()


def client_with_contact(bank, *, tier, days_ago=None, effective=True, name=None):
    client = ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, tier=tier, name=name or f"{tier}-{days_ago}",
                           aum=Decimal("1000000.00"))
    if days_ago is not None:
        Contact.objects.create(client=client, staff=bank.advisor, channel="phone", purpose="callback_satisfaction",
                               occurred_at=timezone.now() - dt.timedelta(days=days_ago), effective=effective)
    return client


def due_names(now):
    return set(Client.objects.callback_due(now=now).values_list("name", flat=True))


def test_defaults_come_from_the_data_migration(db):
    assert dict(CallbackPlan.objects.values_list("tier", "interval_days")) == {
        "head_office": 30, "branch": 90, "sub_branch": 180}


def test_a_head_office_tier_client_is_due_after_a_month(bank, now):
    client_with_contact(bank, tier="head_office", days_ago=31, name="overdue")
    client_with_contact(bank, tier="head_office", days_ago=29, name="recent")
    assert due_names(now) == {"overdue"}


def test_the_interval_follows_the_tier(bank, now):
    client_with_contact(bank, tier="branch", days_ago=60, name="branch-60")
    client_with_contact(bank, tier="branch", days_ago=91, name="branch-91")
    client_with_contact(bank, tier="sub_branch", days_ago=120, name="sub-120")
    assert due_names(now) == {"branch-91"}


def test_only_effective_contacts_count_and_never_reached_is_due(bank, now):
    client_with_contact(bank, tier="head_office", days_ago=2, effective=False, name="not-reached")
    client_with_contact(bank, tier="head_office", name="never")
    assert due_names(now) == {"not-reached", "never"}
    assert Client.objects.callback_due(now=now).get(name="never").last_effective_contact is None


def test_the_plan_is_data_head_office_may_change(bank, now):
    client_with_contact(bank, tier="sub_branch", days_ago=100, name="sub-100")
    assert due_names(now) == set()
    CallbackPlan.objects.filter(tier="sub_branch").update(interval_days=90)
    assert due_names(now) == {"sub-100"}


def test_my_day_lists_planned_callbacks_of_the_advisors_own_clients(bank, web_as):
    client_with_contact(bank, tier="head_office", days_ago=45, name="该回访的客户")
    ClientFactory(org_unit=bank.south_sub, advisor=bank.south_advisor, tier="head_office", name="别人的客户")
    page = web_as(bank.advisor).get("/").content.decode()
    assert "该回访的客户" in page and "回访计划到期" in page
    assert "别人的客户" not in page
