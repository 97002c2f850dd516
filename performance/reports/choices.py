from django.db import models
from django.utils.translation import gettext_lazy as _

from wealthcrm.exports.choices import FileStatus


class ReportFormat(models.TextChoices):
    XLSX = "xlsx", _("Excel 工作簿（汇总）")
    CSV = "csv", _("CSV（客户层级清单）")


# A report is a file built in the background like an export: one life cycle (wealthcrm.exports.building).
ReportStatus = FileStatus
