"""Calendar fixtures; staff and clients come from tests/conftest.py (``bank``, ``api_as``, ``web_as``)."""

import datetime as dt

import pytest

from wealthcrm.calendar import services

# Late November 2026: this year is official, next year's notice is not out yet (the case the warning is for).
TODAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr(services, "bank_today", lambda: TODAY)
    return TODAY

