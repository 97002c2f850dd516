"""API.md "Security" / "Sign-in protection": per-address limit, the owner's way in during a lock, admin
unlock, API tokens (idle expiry, logout), CSP, idle sessions and what /health/ tells whom."""

import ipaddress
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from rest_framework.test import APIClient

from wealthcrm.audit.models import AuditEvent
from wealthcrm.audit.services import client_ip
from wealthcrm.org import services
from wealthcrm.org.models import ApiToken, SignInGuard

pytestmark = pytest.mark.django_db


def sign_in(client, username, password, address="127.0.0.1"):
    return client.post("/api/v1/auth/token/", {"username": username, "password": password},
                       content_type="application/json", REMOTE_ADDR=address)


def test_twenty_failures_a_minute_from_one_address_are_the_limit(bank, client):
    """Password spraying: one address trying many usernames is stopped after 20 failures (token endpoint)."""
    for number in range(20):
        assert sign_in(client, f"nobody{number}", "wrong", "10.0.0.9").status_code == 400
    assert sign_in(client, "bj01_adv", bank.password, "10.0.0.9").status_code == 429
    assert client.post("/login/", {"username": "bj01_adv2", "password": bank.password},
                       REMOTE_ADDR="10.0.0.9").status_code == 429
    assert sign_in(client, "bj01_adv", bank.password, "10.0.0.10").status_code == 200


def test_the_login_page_counts_towards_the_address_limit(bank, client):
    for number in range(20):
        response = client.post("/login/", {"username": f"nobody{number}", "password": "wrong"}, REMOTE_ADDR="10.0.0.8")
        assert response.status_code == 200
    assert sign_in(client, "bj01_adv", bank.password, "10.0.0.8").status_code == 429


def test_owner_still_signs_in_from_a_known_address_while_someone_else_locks_the_name(bank, client):
    assert sign_in(client, "bj01_adv", bank.password, "10.1.1.1").status_code == 200  # the owner's desk
    for _ in range(5):
        sign_in(client, "bj01_adv", "guess", "203.0.113.5")
    assert sign_in(client, "bj01_adv", bank.password, "203.0.113.5").status_code == 429
    assert sign_in(client, "bj01_adv", bank.password, "198.51.100.7").status_code == 429  # unknown address
    assert sign_in(client, "bj01_adv", bank.password, "10.1.1.1").status_code == 200
    assert SignInGuard.objects.get(username="bj01_adv").locked_until > timezone.now()  # still locked for others
    # A wrong password from the known address loses the exemption for the rest of the lock.
    assert sign_in(client, "bj01_adv", "typo", "10.1.1.1").status_code == 400
    assert sign_in(client, "bj01_adv", bank.password, "10.1.1.1").status_code == 429


def test_an_admin_unlocks_a_user_and_it_is_audited(bank, api_as, client):
    for _ in range(5):
        sign_in(client, "bj01_adv", "guess")
    assert api_as(bank.head_office).post(f"/api/v1/staff/{bank.advisor.pk}/unlock/").status_code == 403
    assert api_as(bank.admin).post(f"/api/v1/staff/{bank.advisor.pk}/unlock/").status_code == 204
    assert sign_in(client, "bj01_adv", bank.password).status_code == 200
    event = AuditEvent.objects.filter(actor=bank.admin, object_id=str(bank.advisor.pk)).get()
    assert event.detail == {"sign_in": "unlocked"}


@pytest.mark.parametrize("username", ["a\x00b", "x" * 151, ["list"], {"a": 1}])
def test_malformed_usernames_on_the_token_endpoint_are_400(bank, client, username):
    response = client.post("/api/v1/auth/token/", {"username": username, "password": "x"},
                           content_type="application/json")
    assert response.status_code == 400
    assert "username" in response.json()


def test_tokens_lapse_after_thirty_days_without_use(bank):
    key = services.issue_api_token(bank.advisor)
    api = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    ApiToken.objects.update(last_used_at=timezone.now() - timedelta(days=29))
    assert api.get("/api/v1/staff/").status_code == 200  # used: the 30 days start again
    ApiToken.objects.update(last_used_at=timezone.now() - timedelta(days=30, minutes=1))
    assert api.get("/api/v1/staff/").status_code in (401, 403)
    assert not ApiToken.objects.exists()


def test_tokens_are_stored_hashed(bank):
    key = services.issue_api_token(bank.advisor)
    assert not ApiToken.objects.filter(digest=key).exists()


def test_logout_revokes_the_callers_token_only(bank, client):
    first = sign_in(client, "bj01_adv", bank.password).json()["token"]
    second = sign_in(client, "bj01_adv", bank.password).json()["token"]
    api = APIClient(HTTP_AUTHORIZATION=f"Token {first}")
    assert api.post("/api/v1/auth/logout/").status_code == 204
    assert api.get("/api/v1/staff/").status_code in (401, 403)
    assert APIClient(HTTP_AUTHORIZATION=f"Token {second}").get("/api/v1/staff/").status_code == 200


@pytest.mark.parametrize("url", ["/login/", "/", "/api/v1/staff/", "/api/docs/", "/admin/login/", "/health/"])
def test_every_response_carries_a_content_security_policy(bank, web_as, url):
    response = web_as(bank.head_office).get(url)
    policy = response["Content-Security-Policy"]
    script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert script_src.strip() == "script-src 'self'"
    assert ("unsafe-inline" in policy) == (url == "/api/docs/")  # Swagger UI's injected <style> only


def test_api_docs_have_no_inline_script(bank, web_as):
    html = web_as(bank.head_office).get("/api/docs/").content.decode()
    assert "<script>" not in html


def test_sessions_end_after_thirty_minutes_idle(bank, client):
    from django.contrib.sessions.models import Session

    from wealthcrm.middleware import LAST_SEEN_KEY

    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client.force_login(bank.advisor)
    session = client.session
    session[LAST_SEEN_KEY] -= 61  # a minute since the expiry was last pushed back
    session.save()
    response = client.get("/")
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 30 * 60  # renewed by the request
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get("/").status_code == 302


def test_health_without_credentials_is_status_only(db, client):
    assert set(client.get("/health/").json()) == {"status"}


def test_health_details_for_signed_in_staff_and_the_operations_token(bank, client, settings):
    settings.HEALTH_TOKEN = "ops-" + "x" * 40
    assert "nightly_runs" in client.get("/health/", HTTP_X_HEALTH_TOKEN=settings.HEALTH_TOKEN).json()
    assert set(client.get("/health/", HTTP_X_HEALTH_TOKEN="wrong").json()) == {"status"}
    client.force_login(bank.advisor)
    assert "database" in client.get("/health/").json()


PROXY = [ipaddress.ip_network("10.9.0.0/16")]


def test_behind_a_trusted_proxy_the_limit_counts_the_caller_not_the_proxy(bank, client, settings):
    settings.TRUSTED_PROXIES = PROXY

    def through_proxy(username, password, caller, forged=""):
        # The proxy appends the caller's address; whatever the caller wrote itself stays to the left.
        return client.post("/api/v1/auth/token/", {"username": username, "password": password},
                           content_type="application/json", REMOTE_ADDR="10.9.0.2",
                           HTTP_X_FORWARDED_FOR=f"{forged}, {caller}" if forged else caller)

    for number in range(20):  # the forged entries change every time: they must not spread the count
        response = through_proxy(f"nobody{number}", "wrong", "203.0.113.77", forged=f"198.51.100.{number}")
        assert response.status_code == 400
    assert through_proxy("bj01_adv", bank.password, "203.0.113.77").status_code == 429
    # another customer behind the same proxy is not locked out
    assert through_proxy("bj01_adv", bank.password, "203.0.113.78").status_code == 200


def test_without_trusted_proxies_a_forged_forwarded_for_is_ignored(bank, client):
    for number in range(20):
        response = client.post("/api/v1/auth/token/", {"username": f"nobody{number}", "password": "wrong"},
                               content_type="application/json", REMOTE_ADDR="10.0.0.7",
                               HTTP_X_FORWARDED_FOR=f"198.51.100.{number}")
        assert response.status_code == 400
    assert sign_in(client, "bj01_adv", bank.password, "10.0.0.7").status_code == 429


@pytest.mark.parametrize(("remote", "forwarded", "expected"), [
    ("10.9.0.2", "203.0.113.5", "203.0.113.5"),
    ("10.9.0.2", "203.0.113.5, 10.9.0.3", "203.0.113.5"),  # two proxies of ours in a row
    ("10.9.0.2", "not-an-address", "10.9.0.2"),
    ("10.9.0.2", "", "10.9.0.2"),
    ("10.9.0.2", "10.9.0.4", "10.9.0.2"),  # only our proxies: the nearest peer is what we know
    ("192.0.2.1", "203.0.113.5", "192.0.2.1"),  # not a trusted proxy: its header is the caller's own words
])
def test_client_ip_reads_forwarded_for_only_from_trusted_proxies(rf, settings, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = PROXY
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
