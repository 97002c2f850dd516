"""factory-boy factories shared by the whole suite (each app may add its own next to its tests)."""

import factory

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
