import os
from io import StringIO

import pytest
from django.core.management import call_command

from clients.models import AumSnapshot, Client, Contact, Household, ProductSale
from referrals.models import Referral
from tiers.models import TierChange
from wealthcrm.org.choices import Role
from wealthcrm.org.models import OrgUnit, Staff
from wealthcrm.tiering import Tier


def demo_counts():
    return {model._meta.label: model.objects.count()
            for model in (OrgUnit, Staff, Client, AumSnapshot, Contact, ProductSale, Household, TierChange, Referral)}


@pytest.mark.django_db
def test_seed_demo_builds_a_believable_bank_and_is_idempotent():
    call_command("seed_demo", "--clients", "60", stdout=StringIO())
    counts = demo_counts()
    assert counts["clients.Client"] == 60
    assert counts["clients.AumSnapshot"] == 60 * 24
    assert counts["referrals.Referral"] > 0 and counts["clients.Contact"] > 0
    assert set(Client.objects.values_list("tier", flat=True)) == set(Tier.values)
    assert OrgUnit.objects.filter(kind="branch").count() == 3
    assert OrgUnit.objects.filter(kind="sub_branch").count() == 9
    assert OrgUnit.objects.filter(kind="outlet").count() == 20
    assert set(Staff.objects.values_list("role", flat=True)) == set(Role.values)
    assert Staff.objects.get(username="bj01_adv1").check_password("WealthDemo-2026")
    call_command("seed_demo", "--clients", "60", stdout=StringIO())
    assert demo_counts() == counts


@pytest.mark.django_db
def test_createsuperuser_noinput_works_on_an_empty_database(monkeypatch):
    monkeypatch.setitem(os.environ, "DJANGO_SUPERUSER_USERNAME", "root")
    monkeypatch.setitem(os.environ, "DJANGO_SUPERUSER_PASSWORD", "Root-Pass-2026!")
    monkeypatch.setitem(os.environ, "DJANGO_SUPERUSER_EMAIL", "root@bank.example")
    call_command("createsuperuser", "--noinput", stdout=StringIO())
    root = Staff.objects.get(username="root")
    assert root.is_superuser and root.role == Role.ADMIN and root.org_unit is None
    assert root.check_password("Root-Pass-2026!")
