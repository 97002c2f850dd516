from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WealthCRMConfig(AppConfig):
    name = "wealthcrm"
    verbose_name = _("WealthCRM")

    def ready(self):
        from django.db import models
        from rest_framework import serializers

        from wealthcrm.inputs import BankDateTimeField

        # Every model timestamp of every ModelSerializer checks its range (DRF's documented mapping hook),
        # so no app's serializer can forget it.
        serializers.ModelSerializer.serializer_field_mapping[models.DateTimeField] = BankDateTimeField
