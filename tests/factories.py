"""factory-boy factories shared by the whole suite (each app may add its own next to its tests)."""

import datetime as dt
from decimal import Decimal

import factory

from clients.models import Client
from clients.services import set_personal_data
from wealthcrm.org.choices import OrgKind, Role
from wealthcrm.org.models import OrgUnit, Staff

TEST_PASSWORD = "Wealth-Test-2026!"


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    code = factory.Sequence(lambda n: f"U{n:04d}")
    name = factory.Sequence(lambda n: f"机构{n}")
    kind = OrgKind.HEAD_OFFICE
    parent = None


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    display_name = factory.Sequence(lambda n: f"员工{n}")
    role = Role.ADVISOR
    org_unit = None
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


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
