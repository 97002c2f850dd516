"""Factories of the clients app (personal data set through the service helper, hashes included)."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from clients.models import AumSnapshot, Contact, Household, ProductSale


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    name = factory.Sequence(lambda n: f"家庭{n}")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    channel = "phone"
    purpose = "callback_satisfaction"
    occurred_at = factory.LazyFunction(timezone.now)
    summary = "回访"


class AumSnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AumSnapshot

    as_of = dt.date(2026, 1, 31)
    aum = Decimal("1000000.00")


class SaleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductSale

    sold_on = dt.date(2026, 1, 15)
    product_category = "fund"
    amount = Decimal("500000.00")
