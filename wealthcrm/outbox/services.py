"""Writing to the outbox and sending what it holds (see the package docstring)."""

import logging

from celery import current_app
from django.db import transaction
from django.utils import timezone

from wealthcrm.outbox.models import OutboxMessage

logger = logging.getLogger(__name__)


def enqueue(task: str, **kwargs) -> OutboxMessage:
    """Record ``task(**kwargs)`` in the caller's transaction; it is sent once that commits (or by the sweep)."""
    message = OutboxMessage.objects.create(task=task, kwargs=kwargs)
    transaction.on_commit(lambda: send(message.pk))
    return message


def _publish(message: OutboxMessage) -> None:
    task = current_app.tasks[message.task]
    # Connecting first fails at once when the broker is down (publishing would retry for seconds), and it is
    # the same check whether tasks run on a worker or in-process (eager, as in the test suite).
    with current_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
        task.apply_async(kwargs=message.kwargs, connection=conn)


def send(message_id: int) -> bool:
    """Send one message unless it was sent already or someone else is sending it; False when the broker
    refused (the message stays for the sweep)."""
    with transaction.atomic():
        message = (OutboxMessage.objects.select_for_update(skip_locked=True)
                   .filter(pk=message_id, sent_at__isnull=True).first())
        if message is None:
            return True
        try:
            _publish(message)
        except Exception as exc:  # broker down or refusing: kept for the sweep, the change is not lost
            logger.warning("outbox message %s (%s) not sent: %s", message.pk, message.task, exc)
            OutboxMessage.objects.filter(pk=message.pk).update(attempts=message.attempts + 1,
                                                               last_error=str(exc)[:1000])
            return False
        OutboxMessage.objects.filter(pk=message.pk).update(sent_at=timezone.now(), attempts=message.attempts + 1,
                                                           last_error="")
    return True


def sweep(limit: int = 500) -> int:
    """Send what is waiting, oldest first; stops at the first refusal (the broker is down). Returns how many
    were sent."""
    sent = 0
    for pk in OutboxMessage.objects.filter(sent_at__isnull=True).values_list("pk", flat=True)[:limit]:
        if not send(pk):
            break
        sent += 1
    return sent


def pending(task: str, **kwargs) -> bool:
    """Whether a call of ``task`` with these kwargs is still waiting to be sent."""
    return OutboxMessage.objects.filter(task=task, kwargs__contains=kwargs, sent_at__isnull=True).exists()


def last_sent(task: str, **kwargs):
    """When a call of ``task`` with these kwargs was last handed to the broker (``None``: never)."""
    return (OutboxMessage.objects.filter(task=task, kwargs__contains=kwargs, sent_at__isnull=False)
            .order_by("-sent_at").values_list("sent_at", flat=True).first())
