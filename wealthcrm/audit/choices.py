from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    VIEW = "view", _("查看")
    CREATE = "create", _("新增")
    UPDATE = "update", _("修改")
    REVEAL = "reveal", _("查看明文")
    EXPORT = "export", _("导出")
    LOGIN_FAILED = "login_failed", _("登录失败")
