from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "wealthcrm.audit"
    label = "audit"
    verbose_name = _("审计日志")

    def ready(self):
        from wealthcrm.audit import receivers  # noqa: F401  (connects the failed sign-in receiver)
