from datetime import date

import pytest

from tiers import services

AS_OF = date(2026, 3, 31)


@pytest.fixture
def recompute():
    """``recompute(as_of=AS_OF)`` runs the nightly service and returns its TierRun."""

    def run(as_of=AS_OF, **kwargs):
        return services.recompute_tiers(as_of=as_of, **kwargs)

    return run

