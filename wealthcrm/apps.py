from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WealthCRMConfig(AppConfig):
    name = "wealthcrm"
    verbose_name = _("WealthCRM")
