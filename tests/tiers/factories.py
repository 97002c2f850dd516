"""Factories for the tiers tests (clients are built directly: the clients app's factories are not ours)."""

from decimal import Decimal

import factory

from clients.models import Client
from tiers.models import TierPolicy


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    client_no = factory.Sequence(lambda n: f"T{n:08d}")
    name = factory.Sequence(lambda n: f"客户{n}")
    aum = Decimal("0.00")


class TierPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TierPolicy

    effective_from = factory.Sequence(lambda n: f"2030-01-{n % 28 + 1:02d}")
    head_office_floor = Decimal("100000000.00")
    branch_floor = Decimal("20000000.00")
    near_threshold_margin = Decimal("0.10")
