from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    name = "wealthcrm.exports"
    label = "exports"
    verbose_name = _("导出")

    def ready(self):
        # Each app declares the exports of its lists in its own ``exports`` module (the kernel names no app).
        autodiscover_modules("exports")
