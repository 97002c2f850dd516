"""Celery tasks of the notification centre: the e-mail copies go out here, never inside a web request."""

import logging

from celery import shared_task
from django.core.mail import send_mass_mail

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def send_emails(messages: list[list]) -> int:
    """Send ``[subject, body, from, [to]]`` messages in one connection; returns how many went out.

    E-mail is a copy of the in-app notice: a mail server outage is logged, the notice itself stays.
    """
    try:
        return send_mass_mail([tuple(m) for m in messages], fail_silently=False)
    except Exception:
        logger.exception("notification e-mail failed (%d messages)", len(messages))
        return 0
