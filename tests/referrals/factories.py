import datetime as dt
from zoneinfo import ZoneInfo

from referrals import services

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    """An aware Asia/Shanghai datetime: ``at(2025, 9, 30, 10)``."""
    return dt.datetime(*args, tzinfo=SH)


def submit(referrer, **kwargs):
    """Submit a prospect referral (defaults filled in) through the service."""
    kwargs.setdefault("prospect_name", "张三")
    kwargs.setdefault("now", at(2025, 3, 3, 10))
    return services.submit_referral(referrer=referrer, **kwargs)
