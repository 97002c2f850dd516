from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wealthcrm.exports.choices import FileStatus
from wealthcrm.exports.registry import label_of

# PRODUCT.md "Reports": downloadable for 90 days, then the file is deleted; exports are kept as long.
RETENTION = timedelta(days=90)


class FileJob(models.Model):
    """A file built in Celery and downloaded when ready: what exports and the monthly report share.

    The file lives under MEDIA_ROOT, which no URL serves: it goes out only through a checked, audited download.
    The concrete model adds who requested it and what to build (see :mod:`wealthcrm.exports.building`).
    """

    status = models.CharField(_("状态"), max_length=10, choices=FileStatus.choices, default=FileStatus.PENDING)
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    file = models.FileField(_("文件"), blank=True, max_length=255)
    file_size = models.PositiveBigIntegerField(_("文件大小"), default=0)
    row_count = models.PositiveIntegerField(_("行数"), default=0)
    error = models.TextField(_("错误"), blank=True)
    expires_at = models.DateTimeField(_("到期时间"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_active(self) -> bool:
        return self.status in (FileStatus.PENDING, FileStatus.RUNNING)


class ExportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """An export holds the data its requester could see when it ran: only the requester sees or downloads it."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(requested_by=user)


class ExportJob(FileJob):
    """One requested export of a list, with the filters it was shown with (``kind``: see ``registry``)."""

    kind = models.CharField(_("导出内容"), max_length=40)
    filters = models.JSONField(_("筛选条件"), default=dict, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.CASCADE,
                                     related_name="export_jobs")

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["requested_by", "-id"], name="export_job_mine"),
            models.Index(fields=["expires_at"], condition=Q(status="done"), name="export_job_done_expiry"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="export_job_progress_percent"),
            models.CheckConstraint(condition=Q(status__in=FileStatus.values), name="export_job_status_valid"),
        ]

    def __str__(self):
        return f"{self.kind} #{self.pk}"

    @property
    def kind_label(self) -> str:
        return label_of(self.kind)

    @property
    def download_name(self) -> str:
        return f"{self.kind_label}-{self.requested_at:%Y%m%d-%H%M}-{self.pk}.csv"
