from django.db import models
from django.utils.translation import gettext_lazy as _


class DaySource(models.TextChoices):
    """Where a calendar day's answer came from. Manual entries win over everything else."""

    OFFICIAL = "official", _("官方")
    MANUAL = "manual", _("人工录入")
    FALLBACK = "fallback", _("规则推算")
