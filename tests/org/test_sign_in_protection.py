"""API.md "Sign-in protection": 5 consecutive failures lock a username for 15 minutes, page and API alike."""

from datetime import timedelta

from django.utils import timezone

from wealthcrm.org.models import SignInGuard


def fail(client, username, times):
    for _ in range(times):
        response = client.post("/api/v1/auth/token/", {"username": username, "password": "wrong"},
                               content_type="application/json")
        assert response.status_code == 400


def test_five_failures_lock_the_token_endpoint_even_with_the_right_password(bank, client):
    fail(client, "bj01_adv", 5)
    response = client.post("/api/v1/auth/token/", {"username": "bj01_adv", "password": bank.password},
                           content_type="application/json")
    assert response.status_code == 429
    assert "token" not in response.json()


def test_the_lock_applies_to_the_login_page_too(bank, client):
    fail(client, "bj01_adv", 5)
    response = client.post("/login/", {"username": "bj01_adv", "password": bank.password})
    assert response.status_code == 429
    assert "锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_four_failures_then_success_resets_the_count(bank, client):
    fail(client, "bj01_adv", 4)
    assert client.post("/login/", {"username": "bj01_adv", "password": bank.password}).status_code == 302
    assert not SignInGuard.objects.filter(username="bj01_adv").exists()


def test_the_lock_ends_after_fifteen_minutes(bank, client):
    fail(client, "bj01_adv", 5)
    SignInGuard.objects.filter(username="bj01_adv").update(locked_until=timezone.now() - timedelta(seconds=1))
    response = client.post("/api/v1/auth/token/", {"username": "bj01_adv", "password": bank.password},
                           content_type="application/json")
    assert response.status_code == 200


def test_a_lock_on_one_username_leaves_others_alone(bank, client):
    fail(client, "bj01_adv", 5)
    response = client.post("/api/v1/auth/token/", {"username": "bj01_adv2", "password": bank.password},
                           content_type="application/json")
    assert response.status_code == 200
