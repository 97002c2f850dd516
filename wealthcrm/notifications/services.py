"""The in-app notification centre and its e-mail copies (sent by a Celery task through the configured backend)."""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from wealthcrm.notifications import tasks
from wealthcrm.notifications.choices import NotificationKind
from wealthcrm.notifications.models import Notification

logger = logging.getLogger(__name__)


def _absolute(url: str) -> str:
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    return f"{base}{url}" if base and url.startswith("/") else url


def _queue_emails(messages: list[tuple]) -> None:
    """Hand the e-mails to the worker once the action has committed (a rolled-back action sends nothing).

    Neither a slow mail server nor a broker outage may slow down or undo the business action.
    """

    def send():
        try:
            tasks.send_emails.delay([list(m) for m in messages])
        except Exception:
            logger.exception("notification e-mail could not be queued (%d messages)", len(messages))

    transaction.on_commit(send)


def notify(*, recipients: Iterable, kind: str = NotificationKind.OTHER, title: str, body: str = "", url: str = "",
           email: bool = True) -> list[Notification]:
    """Notify each recipient (a Staff or None, skipped; duplicates once) in the app and, optionally, by e-mail.

    One bulk insert; the e-mails are queued for the worker after the surrounding transaction commits, so a
    rolled-back action sends nothing.
    """
    unique = {}
    for recipient in recipients:
        if recipient is not None:
            unique.setdefault(recipient.pk, recipient)
    if not unique:
        return []
    title, body = str(title)[:200], str(body)
    created = Notification.objects.bulk_create(
        [Notification(recipient_id=pk, kind=kind, title=title, body=body, url=url) for pk in unique]
    )
    if email:
        text = f"{body}\n\n{_absolute(url)}".strip() if url else body
        messages = [(title, text, settings.DEFAULT_FROM_EMAIL, [r.email]) for r in unique.values() if r.email]
        if messages:
            _queue_emails(messages)
    return created


def notify_many(items: list[dict], *, email: bool = True) -> int:
    """Several different notices at once (e.g. one per breached referral): one insert, one mail batch.

    Each item: ``{"recipient": Staff, "kind", "title", "body", "url"}``.
    """
    rows = [Notification(recipient_id=item["recipient"].pk, kind=item.get("kind", NotificationKind.OTHER),
                         title=str(item["title"])[:200], body=str(item.get("body", "")), url=item.get("url", ""))
            for item in items if item.get("recipient") is not None]
    Notification.objects.bulk_create(rows)
    if email:
        messages = [
            (str(item["title"]), f"{item.get('body', '')}\n\n{_absolute(item.get('url', ''))}".strip(),
             settings.DEFAULT_FROM_EMAIL, [item["recipient"].email])
            for item in items if item.get("recipient") is not None and item["recipient"].email
        ]
        if messages:
            _queue_emails(messages)
    return len(rows)


def mark_read(*, user, notification_id: int | None = None) -> int:
    """Mark one of the user's notifications (or all of them, with no id) read; returns rows changed.

    Another user's notification id changes nothing (0), like an unknown one.
    """
    qs = Notification.objects.visible_to(user).unread()
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())


def unread_count(user) -> int:
    if not (user and user.is_authenticated):
        return 0
    return Notification.objects.visible_to(user).unread().count()
