"""The one phone-number rule (mainland China), for imports, forms, the API and referrals alike."""

import re

from django.utils.translation import gettext as _

MOBILE = re.compile(r"^1[3-9]\d{9}$")  # 11 digits, second digit 3–9
LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")  # area code (010, 0755, …) then a 7- or 8-digit number
SEPARATORS = re.compile(r"[\s\-()（）]")
COUNTRY_PREFIXES = ("+86", "0086")


class PhoneError(ValueError):
    """Not a mainland mobile or landline number; the message is ready to show."""


def clean_phone(text: str) -> str:
    """``138 1234 5678`` / ``+86 138-1234-5678`` → ``13812345678``; ``010-6512 3456`` → ``01065123456``.

    Accepts a mainland mobile number (11 digits starting 13–19) or a landline with its area code; anything else
    — a 7-digit number, letters, a foreign number — raises ``PhoneError``. Empty text stays empty.
    """
    value = SEPARATORS.sub("", text or "")
    for prefix in COUNTRY_PREFIXES:
        if value.startswith(prefix):
            value = value[len(prefix):]
            break
    if value and not (MOBILE.match(value) or LANDLINE.match(value)):
        raise PhoneError(_("电话号码格式不正确：请填写 11 位手机号，或带区号的固定电话。"))
    return value
