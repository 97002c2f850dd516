"""Factories of the clients app (personal data set through the service helper, hashes included)."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from clients.models import AumSnapshot, Client, Contact, Household, ProductSale
from clients.services import set_personal_data


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    client_no = factory.Sequence(lambda n: f"C{n:08d}")
    name = factory.Sequence(lambda n: f"客户{n}")
    birth_date = dt.date(1980, 5, 17)
    risk_level = "C3"
    aum = Decimal("1000000.00")

    @classmethod
    def _create(cls, model_class, *args, id_number="110101198005171234", phone="13812345678", **kwargs):
        client = model_class(*args, **kwargs)
        set_personal_data(client, id_number=id_number, phone=phone)
        client.save()
        return client


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
