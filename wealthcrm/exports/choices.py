from django.db import models
from django.utils.translation import gettext_lazy as _


class FileStatus(models.TextChoices):
    """The life of a file built in the background (an export, a monthly report)."""

    PENDING = "pending", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")
    # The file was deleted after the retention period; the record stays as history.
    EXPIRED = "expired", _("已过期")


# Still being worked on: a page listing such files keeps polling while any is in one of these.
ACTIVE_STATUSES = (FileStatus.PENDING, FileStatus.RUNNING)
