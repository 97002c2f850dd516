from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportFormat(models.TextChoices):
    XLSX = "xlsx", _("Excel 工作簿（汇总）")
    CSV = "csv", _("CSV（客户层级清单）")


class ReportStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")
    # The file was deleted after the retention period; the record stays as history.
    EXPIRED = "expired", _("已过期")


# Still being worked on: the report page keeps polling while any report is in one of these.
ACTIVE_STATUSES = (ReportStatus.PENDING, ReportStatus.RUNNING)
