from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wealthcrm.calendar.choices import DaySource


class CalendarDay(models.Model):
    """One day of the bank's business-day calendar (Asia/Shanghai dates).

    Seeded for whole years from the official arrangement or, where none is published yet, from the rule-based
    fallback; head office corrects it with manual entries, which no reseeding overwrites.
    """

    date = models.DateField(_("日期"), primary_key=True)
    is_business_day = models.BooleanField(_("工作日"))
    name = models.CharField(_("名称"), max_length=100, blank=True, help_text=_("节假日名称，或“调休上班”等说明。"))
    source = models.CharField(_("来源"), max_length=10, choices=DaySource.choices)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("日历日")
        verbose_name_plural = _("工作日历")
        ordering = ["date"]
        indexes = [
            # next_business_day() and business_days_between() scan forward over business days only.
            models.Index(fields=["date"], condition=Q(is_business_day=True), name="calendar_day_business"),
            models.Index(fields=["source", "date"], name="calendar_day_source"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(source__in=DaySource.values), name="calendar_day_source_valid"),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}".strip()
