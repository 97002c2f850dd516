from types import SimpleNamespace

import pytest

from tests.factories import ClientFactory


@pytest.fixture
def clients(bank):
    """One client per relationship: advisor's, advisor2's, account manager's, centre advisor's, south advisor's."""
    return SimpleNamespace(
        mine=ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, client_no="N0001", name="王伟"),
        colleague=ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor2, client_no="N0002", name="李娜"),
        outlet=ClientFactory(org_unit=bank.north_outlet, advisor=bank.account_manager, client_no="N0003"),
        big=ClientFactory(org_unit=bank.north, advisor=bank.centre_advisor, client_no="N0004", tier="branch",
                          aum="50000000.00"),
        south=ClientFactory(org_unit=bank.south_sub, advisor=bank.south_advisor, client_no="S0001", name="张强"),
    )
