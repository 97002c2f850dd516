"""Personal data at rest (个人信息保护): Fernet encryption plus a keyed hash for exact-match lookup.

The ciphertext is non-deterministic, so equality lookups go through the companion ``*_hash`` column
(HMAC-SHA256 under a key derived from ``FIELD_ENCRYPTION_KEY``); the plaintext never reaches the database.
"""

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import models


@lru_cache(maxsize=1)
def _fernet() -> Fernet:
    return Fernet(settings.FIELD_ENCRYPTION_KEY)


@lru_cache(maxsize=1)
def _hash_key() -> bytes:
    return hashlib.sha256(b"wealthcrm-blind-index:" + settings.FIELD_ENCRYPTION_KEY.encode()).digest()


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("personal data cannot be decrypted with the configured FIELD_ENCRYPTION_KEY") from exc


def blind_index(value: str | None) -> str:
    """Keyed hash of a normalised value, for ``WHERE id_number_hash = ...`` lookups; '' for no value."""
    if not value:
        return ""
    normalised = "".join(value.split()).upper()
    return hmac.new(_hash_key(), normalised.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text column stored encrypted; Python sees the plaintext. Only ``isnull``/blank checks make sense."""

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value)


def mask_id_number(value: str | None) -> str:
    """``110101199001011234`` → ``110101********1234``: region code and last four only."""
    if not value:
        return ""
    if len(value) <= 10:
        return value[:2] + "*" * max(len(value) - 4, 0) + value[-2:]
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    """``13812345678`` → ``138****5678``."""
    if not value:
        return ""
    if len(value) < 8:
        return value[:1] + "*" * (len(value) - 2) + value[-1:]
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
