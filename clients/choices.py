from django.db import models
from django.utils.translation import gettext_lazy as _


class RiskLevel(models.TextChoices):
    C1 = "C1", _("C1 保守型")
    C2 = "C2", _("C2 稳健型")
    C3 = "C3", _("C3 平衡型")
    C4 = "C4", _("C4 成长型")
    C5 = "C5", _("C5 进取型")


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class AcquisitionChannel(models.TextChoices):
    ALL_STAFF = "all_staff", _("全员营销")
    CORPORATE_PRIVATE = "corporate_private", _("公私联动")
    CROSS_INDUSTRY = "cross_industry", _("异业联动")
    HALL = "hall", _("厅堂联动")
    REMOTE = "remote", _("远程联动")
    EXISTING_UPLIFT = "existing_uplift", _("存量提升")


class HouseholdRelation(models.TextChoices):
    SELF = "self", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    SIBLING = "sibling", _("兄弟姐妹")
    OTHER = "other", _("其他")


class CompanyRole(models.TextChoices):
    LEGAL_REP = "legal_rep", _("法定代表人")
    SHAREHOLDER = "shareholder", _("股东")
    EXECUTIVE = "executive", _("高管")
    EMPLOYEE = "employee", _("员工")


class ContactChannel(models.TextChoices):
    PHONE = "phone", _("电话")
    VISIT = "visit", _("面访")
    WECHAT = "wechat", _("微信")
    MEETING = "meeting", _("会议")
    SMS = "sms", _("短信")
    EVENT = "event", _("活动")


class ContactPurpose(models.TextChoices):
    CALLBACK_SATISFACTION = "callback_satisfaction", _("满意度回访")
    CALLBACK_LARGE_SALE = "callback_large_sale", _("大额销售回访")
    CALLBACK_NON_FINANCIAL = "callback_non_financial", _("非金融服务回访")
    GREETING = "greeting", _("生日/节日问候")
    MATURITY_REMINDER = "maturity_reminder", _("到期提醒")
    PRODUCT_INTRO = "product_intro", _("产品介绍")
    OTHER = "other", _("其他")


class ProductCategory(models.TextChoices):
    DEPOSIT = "deposit", _("存款")
    WEALTH_PRODUCT = "wealth_product", _("理财产品")
    FUND = "fund", _("基金")
    INSURANCE = "insurance", _("保险")
    TRUST = "trust", _("信托")
    PRECIOUS_METAL = "precious_metal", _("贵金属")
    DISCRETIONARY = "discretionary", _("全权委托")
    FAMILY_TRUST = "family_trust", _("家族信托")


class ImportKind(models.TextChoices):
    CLIENTS = "clients", _("客户信息")
    AUM_SNAPSHOTS = "aum_snapshots", _("金融资产")
    SALES = "sales", _("产品销售")


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("处理中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class CallbackState(models.TextChoices):
    """Where a client stands against their tier's callback plan (the dashboards' 回访 card and its lists)."""

    OVERDUE = "overdue", _("回访已到期")
    DUE_SOON = "due_soon", _("7 天内到期")


class FollowUpState(models.TextChoices):
    """Open scheduled next actions (下次跟进) of a client."""

    TODAY = "today", _("今日应跟进")
    OVERDUE = "overdue", _("逾期未跟进")
