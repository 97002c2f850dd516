import datetime as dt
from zoneinfo import ZoneInfo

import factory

from clients.models import Client
from referrals import services

SH = ZoneInfo("Asia/Shanghai")


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    client_no = factory.Sequence(lambda n: f"C{n:08d}")
    name = factory.Sequence(lambda n: f"客户{n}")


def at(*args) -> dt.datetime:
    """An aware Asia/Shanghai datetime: ``at(2025, 9, 30, 10)``."""
    return dt.datetime(*args, tzinfo=SH)


def submit(referrer, **kwargs):
    """Submit a prospect referral (defaults filled in) through the service."""
    kwargs.setdefault("prospect_name", "张三")
    kwargs.setdefault("now", at(2025, 3, 3, 10))
    return services.submit_referral(referrer=referrer, **kwargs)
