from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clients.choices import AcquisitionChannel
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


class OrgChannelMonth(models.Model):
    """New clients (created in the month) and referrals (recommended in the month) per org unit, month and
    acquisition channel (631), each unit rolled up over its whole subtree.

    Kept by the nightly summary refresh (:func:`performance.reports.summary.refresh_channel_summary`) for this
    month and the last, so the head-office channel card reads six rows instead of scanning the month's clients
    per page view. Every unit has a row per channel, zeros included.
    """

    org_unit = models.ForeignKey("org.OrgUnit", verbose_name=_("机构"), on_delete=models.CASCADE,
                                 related_name="channel_months")
    month = models.DateField(_("月份"), help_text=_("该月第一天"))
    channel = models.CharField(_("获客渠道"), max_length=20, choices=AcquisitionChannel.choices)
    clients = models.PositiveIntegerField(_("新增客户"), default=0)
    referrals = models.PositiveIntegerField(_("推荐"), default=0)
    refreshed_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("机构获客渠道月度汇总")
        verbose_name_plural = _("机构获客渠道月度汇总")
        ordering = ["month", "org_unit", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "month", "channel"], name="org_channel_month_unique"),
        ]

    def __str__(self):
        return f"{self.org_unit_id} {self.month:%Y-%m} {self.channel}: {self.clients}/{self.referrals}"


class OrgCallbackSummary(models.Model):
    """Callbacks and scheduled follow-ups outstanding per org unit (rolled up over its subtree), as of
    ``refreshed_at``.

    Deciding whether a client is due a callback reads their latest effective contact: over a million clients that
    is a scan, so the nightly refresh (:func:`performance.reports.summary.refresh_callback_summary`) counts them
    once with the clients app's own rules (``Client.objects.in_callback_state`` / ``in_follow_up_state``) and the
    dashboard reads one row. The lists behind the figures run the same rules live, for one subtree.
    """

    org_unit = models.OneToOneField("org.OrgUnit", verbose_name=_("机构"), on_delete=models.CASCADE,
                                    related_name="callback_summary")
    callbacks_overdue = models.PositiveIntegerField(_("回访已到期"), default=0)
    callbacks_due_soon = models.PositiveIntegerField(_("回访 7 天内到期"), default=0)
    follow_ups_today = models.PositiveIntegerField(_("今日应跟进"), default=0)
    follow_ups_overdue = models.PositiveIntegerField(_("逾期未跟进"), default=0)
    refreshed_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("机构回访汇总")
        verbose_name_plural = _("机构回访汇总")
        ordering = ["org_unit"]

    def __str__(self):
        return f"{self.org_unit_id}: {self.callbacks_overdue}/{self.follow_ups_overdue}"
