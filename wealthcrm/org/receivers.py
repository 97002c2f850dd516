"""A new password or a deactivation ends the user's API tokens, whichever way it happens (API, Django admin,
``changepassword``): the check sits on the save itself."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from wealthcrm.org import services
from wealthcrm.org.models import Staff


@receiver(post_save, sender=Staff, dispatch_uid="org_revoke_access_on_password_or_deactivation")
def revoke_access_on_password_or_deactivation(sender, instance, created, **kwargs):
    # AbstractBaseUser keeps the raw password in ``_password`` from set_password() until just after this
    # signal, so it tells a password change from any other save.
    if not created and (instance._password is not None or not instance.is_active):
        services.revoke_access(instance, sessions=not instance.is_active)
