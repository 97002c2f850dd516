from django.db import models
from django.utils.translation import gettext_lazy as _


class ReferralStatus(models.TextChoices):
    RECOMMENDED = "recommended", _("待跟进")
    CONTACTED = "contacted", _("已联系")
    SIGNED = "signed", _("已签约")
    CLOSED = "closed", _("已闭环")
    DECLINED = "declined", _("未成交")


# Still somebody's work: counted as the advisor's load when routing, shown on inboxes and boards.
OPEN_STATUSES = (ReferralStatus.RECOMMENDED, ReferralStatus.CONTACTED, ReferralStatus.SIGNED)


class ReferralAction(models.TextChoices):
    CONTACT = "contact", _("已联系客户")
    SIGN = "sign", _("已签约")
    DECLINE = "decline", _("未成交")
    CLOSE = "close", _("签约后回访闭环")
    REASSIGN = "reassign", _("改派顾问")


# action → (statuses it may start from, status it leads to; None keeps the status). API.md "Referrals".
TRANSITIONS = {
    ReferralAction.CONTACT: ((ReferralStatus.RECOMMENDED,), ReferralStatus.CONTACTED),
    ReferralAction.SIGN: ((ReferralStatus.CONTACTED,), ReferralStatus.SIGNED),
    ReferralAction.DECLINE: ((ReferralStatus.CONTACTED,), ReferralStatus.DECLINED),
    ReferralAction.CLOSE: ((ReferralStatus.SIGNED,), ReferralStatus.CLOSED),
    # A signed or finished referral belongs to whoever won it: credit must not move after the fact.
    ReferralAction.REASSIGN: ((ReferralStatus.RECOMMENDED, ReferralStatus.CONTACTED), None),
}


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("提交推荐")
    CONTACT = "contact", _("已联系客户")
    SIGN = "sign", _("已签约")
    DECLINE = "decline", _("未成交")
    CLOSE = "close", _("签约后回访闭环")
    REASSIGN = "reassign", _("改派顾问")
    REMINDED = "reminded", _("到期提醒")
    BREACHED = "breached", _("超时未跟进")


class CreditRole(models.TextChoices):
    REFERRER = "referrer", _("推荐人")
    ADVISOR = "advisor", _("跟进顾问")
