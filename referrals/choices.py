from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


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


class BusinessLine(models.TextChoices):
    """The line of business a referral came from (PRODUCT.md "The hall referral loop"): 公私联动 is counted per line."""

    CORPORATE = "corporate", _("公司")
    INVESTMENT_BANKING = "investment_banking", _("投行")
    SMALL_BUSINESS = "small_business", _("小企业")
    BANK_CARD = "bank_card", _("银行卡")
    RETAIL = "retail", _("个金")
    INSTITUTIONAL = "institutional", pgettext_lazy("business line", "机构")  # not 机构 = org unit
    INTERNATIONAL = "international", _("国际")
    PRIVATE_BANKING = "private_banking", _("私行")
    OTHER = "other", _("其他")


class LinkDirection(models.TextChoices):
    """公私联动 both ways: into private banking from another line, or from private banking out to a corporate line."""

    CORPORATE_TO_PRIVATE = "corporate_to_private", _("公司→私行")
    PRIVATE_TO_CORPORATE = "private_to_corporate", _("私行→公司")


class ClientSource(models.TextChoices):
    """How the referral's client record came to be linked: named when referred, or at signing a prospect."""

    REFERRED = "referred", _("推荐时已是我行客户")
    CREATED = "created", _("签约时新建客户")
    LINKED = "linked", _("签约时关联已有客户")
