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


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The ``bank`` fixture hashes a dozen passwords; PBKDF2 would dominate this suite's run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
