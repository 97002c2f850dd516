"""Helpers for the performance tests: records placed at exact local times (Asia/Shanghai)."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from clients.models import AumSnapshot, Client, Contact, ProductSale
from referrals.models import Referral, ReferralAssignment
from tests.factories import ClientFactory
from tiers.models import TierChange

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=10, mm=0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


def client_of(advisor, *, unit=None, created=None, **fields) -> Client:
    client = ClientFactory(org_unit=unit or advisor.org_unit, advisor=advisor, **fields)
    if created:
        Client.objects.filter(pk=client.pk).update(created_at=created)
    return client


def contact(client, staff, when, *, channel="phone", effective=True) -> Contact:
    return Contact.objects.create(client=client, staff=staff, channel=channel, purpose="product_intro",
                                  occurred_at=when, effective=effective)


def snapshot(client, day, aum) -> AumSnapshot:
    return AumSnapshot.objects.create(client=client, as_of=day, aum=Decimal(aum))


def sale(client, day, category, amount, fee="0", advisor=None) -> ProductSale:
    return ProductSale.objects.create(client=client, sold_on=day, product_category=category, amount=Decimal(amount),
                                      fee_income=Decimal(fee), advisor=advisor)


def tier_change(client, day, direction, from_tier="sub_branch", to_tier="branch") -> TierChange:
    if direction == "downgrade":
        from_tier, to_tier = to_tier, from_tier
    return TierChange.objects.create(client=client, from_tier=from_tier, to_tier=to_tier, direction=direction,
                                     aum=Decimal("1"), effective_date=day, reason="nightly")


def referral(*, referrer, advisor, due, contacted=None, signed=None, declined=None, name="潜客") -> Referral:
    status = "signed" if signed else "declined" if declined else "contacted" if contacted else "recommended"
    made = Referral.objects.create(
        referrer=referrer, org_unit=referrer.org_unit, advisor=advisor, prospect_name=name, status=status,
        recommended_at=due - dt.timedelta(days=1), sla_due_at=due, contacted_at=contacted, signed_at=signed,
        declined_at=declined)
    # the advisor's turn, as the services record it (SLA figures count turns)
    ReferralAssignment.objects.create(referral=made, advisor=advisor, assigned_at=made.recommended_at, due_at=due,
                                      followed_up_at=contacted,
                                      breached_at=contacted if contacted and contacted > due else None)
    return made
