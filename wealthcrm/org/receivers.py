"""A new password or a deactivation ends the user's API tokens, whichever way it happens (API, Django admin,
``changepassword``): the check sits on the save itself. Signing in starts the session's idle clock."""

import time

from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save
from django.dispatch import receiver

from wealthcrm.middleware import LAST_SEEN_KEY
from wealthcrm.org import services
from wealthcrm.org.models import Staff


@receiver(post_save, sender=Staff, dispatch_uid="org_revoke_access_on_password_or_deactivation")
def revoke_access_on_password_or_deactivation(sender, instance, created, **kwargs):
    # AbstractBaseUser keeps the raw password in ``_password`` from set_password() until just after this
    # signal, so it tells a password change from any other save.
    if not created and (instance._password is not None or not instance.is_active):
        services.revoke_access(instance, sessions=not instance.is_active)


@receiver(user_logged_in, dispatch_uid="org_session_last_seen_on_sign_in")
def start_idle_clock(sender, request, user, **kwargs):
    # Signing in saves the session anyway: start its idle clock then, not with a write on the next page.
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN_KEY] = int(time.time())
