import pytest

from tests.referrals.factories import at, submit


@pytest.fixture
def referral(bank):
    """A prospect referral from the north outlet's hall, assigned to the north sub-branch advisor."""
    return submit(bank.hall, advisor=bank.advisor, prospect_phone="13812345678",
                  estimated_assets="3000000", note="理财到期，有意向", now=at(2025, 3, 3, 10))
