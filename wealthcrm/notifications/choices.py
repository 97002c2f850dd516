from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    REFERRAL_ASSIGNED = "referral_assigned", _("新推荐待跟进")
    REFERRAL_DUE_SOON = "referral_due_soon", _("推荐即将到期")
    REFERRAL_BREACHED = "referral_breached", _("推荐超时未跟进")
    REFERRAL_FOLLOWED_UP = "referral_followed_up", _("推荐已跟进")
    REFERRAL_UPDATED = "referral_updated", _("推荐状态更新")
    OTHER = "other", _("其他")
