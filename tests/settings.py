"""Settings of the test suite: the project's settings plus what only tests change (the one place for them)."""

from wealthcrm.settings import *  # noqa: F403

# PBKDF2 at production strength costs ~0.5 s per user and the ``bank`` fixture hashes a dozen passwords; the
# hasher is not what these tests check.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
