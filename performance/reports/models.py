from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from performance.reports.choices import ReportFormat, ReportStatus
from wealthcrm.exports.models import FileJob
from wealthcrm.org import scope
from wealthcrm.tiering import Tier

MONEY = {"max_digits": 20, "decimal_places": 2}


class MonthlyReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Reports are bank-wide figures: head office and admin see every one, nobody else any."""
        return self if scope.sees_everything(user) else self.none()


class MonthlyReport(FileJob):
    """One requested monthly report: built in Celery (under MEDIA_ROOT/reports/), downloadable until ``expires_at``."""

    month = models.DateField(_("月份"), help_text=_("该月第一天"))
    format = models.CharField(_("格式"), max_length=10, choices=ReportFormat.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请人"), null=True,
                                     on_delete=models.SET_NULL, related_name="monthly_reports")

    objects = MonthlyReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("月度报告")
        verbose_name_plural = _("月度报告")
        ordering = ["-id"]
        indexes = [
            # The nightly clean-up looks only at files still on disk.
            models.Index(fields=["expires_at"], condition=Q(status="done"), name="report_done_expiry"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_progress_percent"),
            models.CheckConstraint(condition=Q(status__in=ReportStatus.values), name="report_status_valid"),
            models.CheckConstraint(condition=Q(format__in=ReportFormat.values), name="report_format_valid"),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.format} #{self.pk}"

    @property
    def download_name(self) -> str:
        return f"私行月度报告-{self.month:%Y-%m}.{self.format}"


class OrgTierMonth(models.Model):
    """Client count and AUM per org unit, month and tier, each unit rolled up over its whole subtree.

    Maintained set-based by :func:`performance.reports.summary.refresh_tier_summary` after the nightly tier
    recompute, so that dashboards (24-month AUM trend, tier mix) and the monthly report read a few hundred rows
    instead of scanning a million clients per page view. Every unit has a row for every tier (zeros included):
    a tier that empties out in a unit reads 0, never a stale figure.
    """

    org_unit = models.ForeignKey("org.OrgUnit", verbose_name=_("机构"), on_delete=models.CASCADE,
                                 related_name="tier_months")
    month = models.DateField(_("月份"), help_text=_("该月第一天"))
    tier = models.CharField(_("客户层级"), max_length=20, choices=Tier.choices)
    clients = models.PositiveIntegerField(_("客户数"), default=0)
    aum = models.DecimalField(_("我行金融资产"), default=0, **MONEY)
    refreshed_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("机构分层月度汇总")
        verbose_name_plural = _("机构分层月度汇总")
        ordering = ["month", "org_unit", "tier"]
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "month", "tier"], name="org_tier_month_unique"),
        ]
        indexes = [models.Index(fields=["month", "org_unit"], name="org_tier_month_month")]

    def __str__(self):
        return f"{self.org_unit_id} {self.month:%Y-%m} {self.tier}: {self.clients}"
