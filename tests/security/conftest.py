"""Fixtures of the security review: clients, a referral, a notification and an import in two branches."""

from types import SimpleNamespace

import pytest

from tests.factories import ClientFactory
from tests.referrals.factories import at, submit


@pytest.fixture
def world(bank):
    mine = ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, client_no="N0001", name="王伟",
                         aum="3000000.00")
    colleague = ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor2, client_no="N0002", name="李娜")
    south = ClientFactory(org_unit=bank.south_sub, advisor=bank.south_advisor, client_no="S0001", name="张强")
    referral = submit(bank.hall, advisor=bank.advisor, prospect_phone="13812345678", estimated_assets="3000000",
                      note="理财到期", now=at(2025, 3, 3, 10))
    south_referral = submit(bank.south_hall, advisor=bank.south_advisor, prospect_phone="13912345678",
                            now=at(2025, 3, 3, 10))
    return SimpleNamespace(mine=mine, colleague=colleague, south=south, referral=referral,
                           south_referral=south_referral)
