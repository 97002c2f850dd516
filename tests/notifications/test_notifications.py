import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import StaffFactory
from wealthcrm.notifications import services, tasks
from wealthcrm.notifications.models import Notification
from wealthcrm.org.choices import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    # Head-office staff need no org unit; notifications do not depend on role.
    return (StaffFactory(username="alice", email="alice@bank.test", role=Role.HEAD_OFFICE),
            StaffFactory(username="bob", email="", role=Role.HEAD_OFFICE))


def test_notify_creates_one_row_per_recipient_and_mails_after_commit(people,
                                                                      django_capture_on_commit_callbacks):
    alice, bob = people
    with django_capture_on_commit_callbacks(execute=True):
        created = services.notify(recipients=[alice, bob, alice, None], title="新推荐", body="请跟进", url="/x/")
    assert len(created) == 2
    assert Notification.objects.filter(recipient=alice).count() == 1
    # Only recipients with an address get e-mail.
    assert [m.to for m in mail.outbox] == [["alice@bank.test"]]
    assert mail.outbox[0].subject == "新推荐" and "/x/" in mail.outbox[0].body


def test_no_mail_when_the_transaction_rolls_back(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.notify(recipients=[people[0]], title="t", email=True)
    assert len(callbacks) == 1 and mail.outbox == []


def test_mail_goes_out_from_the_worker_not_the_request(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.notify(recipients=[people[0]], title="新推荐", body="请跟进")
    assert len(callbacks) == 1 and mail.outbox == []  # queued for the worker, nothing sent in the request
    assert tasks.send_emails.apply(args=[[["新推荐", "请跟进", "crm@bank.test", ["alice@bank.test"]]]]).get() == 1
    assert [m.to for m in mail.outbox] == [["alice@bank.test"]]


def test_email_false_sends_nothing(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        services.notify(recipients=[people[0]], title="t", email=False)
    assert callbacks == []


def test_mark_read_single_and_all_only_own(people):
    alice, bob = people
    a1, a2 = (services.notify(recipients=[alice], title=f"a{i}", email=False)[0] for i in range(2))
    b1 = services.notify(recipients=[bob], title="b", email=False)[0]
    assert services.unread_count(alice) == 2
    assert services.mark_read(user=bob, notification_id=a1.pk) == 0  # not his
    assert services.mark_read(user=alice, notification_id=a1.pk) == 1
    assert services.unread_count(alice) == 1
    assert services.mark_read(user=alice) == 1
    assert services.unread_count(alice) == 0 and services.unread_count(bob) == 1
    assert Notification.objects.get(pk=b1.pk).read_at is None
    assert a2.pk


def test_api_lists_own_only_and_marks_read(people, api_as):
    alice, bob = people
    mine = services.notify(recipients=[alice], title="mine", email=False)[0]
    theirs = services.notify(recipients=[bob], title="theirs", email=False)[0]
    api = api_as(alice)
    results = api.get("/api/v1/notifications/").json()["results"]
    assert [n["id"] for n in results] == [mine.pk] and results[0]["read_at"] is None
    assert api.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    body = api.post(f"/api/v1/notifications/{mine.pk}/read/").json()
    assert body["id"] == mine.pk and body["read_at"]
    assert api.get("/api/v1/notifications/?unread=1").json()["results"] == []
    assert api_as(None).get("/api/v1/notifications/").status_code in (401, 403)


def test_api_read_all(people, api_as):
    alice, _ = people
    services.notify(recipients=[alice], title="1", email=False)
    services.notify(recipients=[alice], title="2", email=False)
    assert api_as(alice).post("/api/v1/notifications/read-all/").json() == {"marked": 2}


def test_pages_bell_count_and_htmx_mark_read(people, web_as):
    alice, bob = people
    n = services.notify(recipients=[alice], title="请跟进推荐", url="/referrals/inbox/", email=False)[0]
    other = services.notify(recipients=[bob], title="别人的", email=False)[0]
    web = web_as(alice)
    page = web.get(reverse("notifications:list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "请跟进推荐" in html and "别人的" not in html
    assert 'data-unread="1"' in html  # the bell
    assert web.post(reverse("notifications:read", args=[other.pk])).status_code == 404
    row = web.post(reverse("notifications:read", args=[n.pk]), HTTP_HX_REQUEST="true")
    assert row.status_code == 200 and "请跟进推荐" in row.content.decode()
    assert services.unread_count(alice) == 0
    opened = web.get(reverse("notifications:open", args=[n.pk]))
    assert opened.status_code == 302 and opened.url == "/referrals/inbox/"
    assert web.post(reverse("notifications:read-all")).status_code == 302


def test_open_never_redirects_off_site(people, web_as):
    alice, _ = people
    n = services.notify(recipients=[alice], title="x", url="//evil.example/", email=False)[0]
    assert web_as(alice).get(reverse("notifications:open", args=[n.pk])).url == reverse("notifications:list")
