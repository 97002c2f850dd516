"""Issue 19: property-based run of the OpenAPI schema — no server error, and every read's response matches the
schema.

Bounded to stay well under 90 s each on a busy CI machine, two examples an operation: every read operation
(lists, details, exports, with generated filters and ids) as head office and as an advisor; every write operation
(create, update, delete, actions, uploads) as head office, the role that may call nearly all of them, for server
errors only (a write's 4xx body is checked by the tests of each app)."""

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from wealthcrm.org.services import issue_api_token
from wealthcrm.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/schema/", application).include(method="GET")
CHECKS = [not_a_server_error, response_schema_conformance]
BOUNDED = settings(max_examples=2, deadline=None, derandomize=True, database=None,
                   phases=[Phase.explicit, Phase.generate],
                   suppress_health_check=list(HealthCheck))


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Calls go straight to the WSGI app; like Django's test client, keep it from closing the connection
    that holds the test's transaction."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@BOUNDED
@pytest.mark.django_db
def test_api_as_head_office(case, bank, world):
    key = issue_api_token(bank.head_office)
    case.call_and_validate(headers={"Authorization": f"Token {key}"}, checks=CHECKS)


@schema.parametrize()
@BOUNDED
@pytest.mark.django_db
def test_api_as_advisor(case, bank, world):
    key = issue_api_token(bank.advisor)
    case.call_and_validate(headers={"Authorization": f"Token {key}"}, checks=CHECKS)


writes = schemathesis.openapi.from_wsgi("/api/schema/", application).include(method=["POST", "PUT", "PATCH", "DELETE"])


@writes.parametrize()
@BOUNDED
@pytest.mark.django_db
def test_api_writes_as_head_office(case, bank, world):
    key = issue_api_token(bank.head_office)
    case.call_and_validate(headers={"Authorization": f"Token {key}"}, checks=[not_a_server_error])
