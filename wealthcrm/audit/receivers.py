"""Failed sign-ins, from Django's ``user_login_failed`` signal: it fires for the login page and the token
endpoint alike (both call ``authenticate``), so one receiver covers every way in."""

from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

from wealthcrm.audit import services
from wealthcrm.audit.choices import AuditAction


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def record_login_failed(sender, credentials, request=None, **kwargs):
    username = str((credentials or {}).get("username", ""))[:150]
    services.record(action=AuditAction.LOGIN_FAILED, object_type="auth", object_id="",
                    detail={"username": username}, request=request)
