from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "wealthcrm.outbox"
    label = "outbox"
    verbose_name = _("待发送任务")
    default_auto_field = "django.db.models.BigAutoField"
