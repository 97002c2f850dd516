"""Fixtures shared by every test: a small bank (org tree), staff of each role, API clients."""

from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from tests.factories import TEST_PASSWORD, OrgUnitFactory, StaffFactory
from wealthcrm.org.choices import OrgKind, Role


@pytest.fixture(autouse=True, scope="session")
def tasks_run_in_process():
    """``.delay()`` in this process runs the task here (eagerly): nothing is left on the broker for a worker
    started later to run against other data. Tests that need a real worker start their own servers."""
    from wealthcrm.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    """A cache namespace per test: counters in Redis (failed sign-ins per address) never leak between tests."""
    import uuid

    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}


@pytest.fixture
def jit_setting(db):
    """``jit_setting()`` → the connection's ``jit`` now ("on"/"off"): the CSV writers turn it off for their id
    ranges and must hand the reused connection back as they found it."""
    from django.db import connection

    def show():
        with connection.cursor() as cursor:
            cursor.execute("SHOW jit")
            return cursor.fetchone()[0]

    return show


@pytest.fixture
def bank(db):
    """总行 → 两家分行 (north, south) → 支行 → 网点, plus one member of staff per role where they work.

    Attributes: ho, north, north_sub, north_outlet, south, south_sub; staff: head_office, admin,
    north_manager (branch manager of the north branch), north_sub_manager, centre_advisor (north branch
    private-banking centre), advisor (north sub-branch), advisor2 (north sub-branch), account_manager
    (north outlet), hall (north outlet hall staff), south_advisor, south_manager, south_hall.
    """
    ho = OrgUnitFactory(code="HO", name="总行", kind=OrgKind.HEAD_OFFICE)
    north = OrgUnitFactory(code="BJ", name="北京分行", kind=OrgKind.BRANCH, parent=ho)
    north_sub = OrgUnitFactory(code="BJ01", name="北京朝阳支行", kind=OrgKind.SUB_BRANCH, parent=north)
    north_outlet = OrgUnitFactory(code="BJ0101", name="望京网点", kind=OrgKind.OUTLET, parent=north_sub)
    south = OrgUnitFactory(code="SZ", name="深圳分行", kind=OrgKind.BRANCH, parent=ho)
    south_sub = OrgUnitFactory(code="SZ01", name="深圳福田支行", kind=OrgKind.SUB_BRANCH, parent=south)
    staff = {
        "head_office": StaffFactory(username="ho", role=Role.HEAD_OFFICE, org_unit=ho),
        "admin": StaffFactory(username="admin", role=Role.ADMIN, org_unit=None),
        "north_manager": StaffFactory(username="bj_mgr", role=Role.BRANCH_MANAGER, org_unit=north),
        "north_sub_manager": StaffFactory(username="bj01_mgr", role=Role.BRANCH_MANAGER, org_unit=north_sub),
        "centre_advisor": StaffFactory(username="bj_pb", role=Role.ADVISOR, org_unit=north),
        "advisor": StaffFactory(username="bj01_adv", role=Role.ADVISOR, org_unit=north_sub),
        "advisor2": StaffFactory(username="bj01_adv2", role=Role.ADVISOR, org_unit=north_sub),
        "account_manager": StaffFactory(username="bj0101_am", role=Role.ACCOUNT_MANAGER, org_unit=north_outlet),
        "hall": StaffFactory(username="bj0101_hall", role=Role.HALL_STAFF, org_unit=north_outlet),
        "south_advisor": StaffFactory(username="sz01_adv", role=Role.ADVISOR, org_unit=south_sub),
        "south_manager": StaffFactory(username="sz_mgr", role=Role.BRANCH_MANAGER, org_unit=south),
        "south_hall": StaffFactory(username="sz01_hall", role=Role.HALL_STAFF, org_unit=south_sub),
    }
    return SimpleNamespace(ho=ho, north=north, north_sub=north_sub, north_outlet=north_outlet, south=south,
                           south_sub=south_sub, password=TEST_PASSWORD, **staff)


@pytest.fixture
def api_as():
    """``api_as(user)`` → a DRF test client authenticated as ``user`` (``None``: anonymous)."""

    def make(user):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def web_as(client):
    """``web_as(user)`` → Django's test client with a real session for ``user``."""

    def make(user):
        client.force_login(user)
        return client

    return make
