from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "wealthcrm.org"
    label = "org"
    verbose_name = _("机构与人员")

    def ready(self):
        from wealthcrm.org import receivers  # noqa: F401  (revokes tokens on password change or deactivation)
