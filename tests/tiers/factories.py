"""Factories for the tiers tests."""

from decimal import Decimal

import factory

from tiers.models import TierPolicy


class TierPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TierPolicy

    effective_from = factory.Sequence(lambda n: f"2030-01-{n % 28 + 1:02d}")
    head_office_floor = Decimal("100000000.00")
    branch_floor = Decimal("20000000.00")
    near_threshold_margin = Decimal("0.10")
