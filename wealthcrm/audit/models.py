"""The audit trail of personal-data access and changes (个人信息保护): append-only by construction.

Rows are only ever inserted. The model refuses ``save()`` of an existing row and ``delete()``, the queryset
refuses ``update()``/``delete()``, and a PostgreSQL trigger (migration 0001) rejects UPDATE and DELETE from any
client, so not even a raw SQL session of the application can rewrite history.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wealthcrm.audit.choices import AuditAction
from wealthcrm.org.scope import ScopedQuerySet


class AppendOnlyError(Exception):
    pass


class AuditEventQuerySet(ScopedQuerySet):
    # The trail is read by head office and admin only (bank-wide roles); nobody reads it by org unit or owner.
    scope_fields = {"org_field": None, "owner_field": None, "submitter_field": None}

    def update(self, **kwargs):
        raise AppendOnlyError("audit events are append-only")

    def delete(self):
        raise AppendOnlyError("audit events are append-only")


class AuditEvent(models.Model):
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    # No database FK constraints: the trail must outlive the staff member or client it mentions, and an
    # ON DELETE SET NULL would be an UPDATE, which the trigger forbids.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                              on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    action = models.CharField(_("动作"), max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(_("对象类型"), max_length=50, blank=True)
    object_id = models.CharField(_("对象ID"), max_length=64, blank=True)
    client = models.ForeignKey("clients.Client", verbose_name=_("客户"), null=True, blank=True,
                               on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["-id"]
        indexes = [
            # The trail page walks time (its filters and keyset pages are on ``at``), newest first.
            models.Index(fields=["-at", "-id"], name="audit_at_id"),
            models.Index(fields=["client", "-id"], name="audit_client_id"),
            models.Index(fields=["actor", "-id"], name="audit_actor_id"),
            models.Index(fields=["action", "-id"], name="audit_action_id"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_id} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit events are append-only")
