from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TiersConfig(AppConfig):
    name = "tiers"
    verbose_name = _("客户分层")

    def ready(self):
        from tiers.models import TierPolicy
        from tiers.selectors import last_run_health
        from wealthcrm import health, tiering

        # ok is false when the last run failed or no run finished in 48 hours
        health.register("tier_recompute", last_run_health)
        tiering.register_effective_policy(TierPolicy.objects.effective_on)
