"""The KPI catalogue (PRODUCT.md "Performance"), its dimensions and the echelon cards."""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Dimension(models.TextChoices):
    """The five dimensions of the client-analysis model: the axes of the advisor's radar."""

    CLIENT_MARKETING = "client_marketing", _("客户营销")
    MARKET_EXPANSION = "market_expansion", _("市场拓展")
    PROFESSIONAL = "professional", _("专业能力")
    EFFICIENCY = "efficiency", _("工作效率")
    BUSINESS_RESULTS = "business_results", _("业务业绩")


class Unit(models.TextChoices):
    MONEY = "money", _("元")
    COUNT = "count", _("个")
    RATE = "rate", _("比率")
    PER_DAY = "per_day", _("次/工作日")


class Direction(models.TextChoices):
    HIGHER_IS_BETTER = "higher", _("越高越好")
    LOWER_IS_BETTER = "lower", _("越低越好")


class KpiCode(models.TextChoices):
    AUM_GROWTH = "aum_growth", _("管户资产净增")
    NEW_CLIENTS = "new_clients", _("新增管户客户")
    TIER_UPGRADES = "tier_upgrades", _("客户提级")
    EFFECTIVE_CONTACTS = "effective_contacts", _("有效接触")
    CALLS_PER_BUSINESS_DAY = "calls_per_business_day", _("日均有效电话")
    COVERAGE_RATE = "coverage_rate", _("管户覆盖率")
    CALLBACK_COMPLIANCE = "callback_compliance", _("回访计划完成率")
    REFERRAL_SLA_RATE = "referral_sla_rate", _("推荐及时跟进率")
    REFERRAL_CONVERSION = "referral_conversion", _("推荐转化率")
    REFERRALS_MADE = "referrals_made", _("推荐签约")
    PRODUCT_ALLOCATION = "product_allocation", _("私行产品配置")
    PRODUCT_COVERAGE = "product_coverage", _("产品覆盖率")
    FEE_INCOME = "fee_income", _("中间业务收入")
    COMPLAINTS = "complaints", _("有效投诉")


@dataclass(frozen=True)
class Kpi:
    code: str
    name_en: str  # the English name for exports and the API docs; the Chinese one is the choice label
    unit: str
    direction: str
    dimension: str

    @property
    def name(self):
        return KpiCode(self.code).label


_H, _L = Direction.HIGHER_IS_BETTER, Direction.LOWER_IS_BETTER
CATALOGUE = {kpi.code: kpi for kpi in [
    Kpi(KpiCode.AUM_GROWTH, "AUM growth", Unit.MONEY, _H, Dimension.BUSINESS_RESULTS),
    Kpi(KpiCode.NEW_CLIENTS, "New clients", Unit.COUNT, _H, Dimension.MARKET_EXPANSION),
    Kpi(KpiCode.TIER_UPGRADES, "Tier upgrades", Unit.COUNT, _H, Dimension.BUSINESS_RESULTS),
    Kpi(KpiCode.EFFECTIVE_CONTACTS, "Effective contacts", Unit.COUNT, _H, Dimension.CLIENT_MARKETING),
    Kpi(KpiCode.CALLS_PER_BUSINESS_DAY, "Effective calls per business day", Unit.PER_DAY, _H, Dimension.EFFICIENCY),
    Kpi(KpiCode.COVERAGE_RATE, "Client coverage", Unit.RATE, _H, Dimension.CLIENT_MARKETING),
    Kpi(KpiCode.CALLBACK_COMPLIANCE, "Callback compliance", Unit.RATE, _H, Dimension.CLIENT_MARKETING),
    Kpi(KpiCode.REFERRAL_SLA_RATE, "Referral follow-up in time", Unit.RATE, _H, Dimension.EFFICIENCY),
    Kpi(KpiCode.REFERRAL_CONVERSION, "Referral conversion", Unit.RATE, _H, Dimension.MARKET_EXPANSION),
    Kpi(KpiCode.REFERRALS_MADE, "Signed referrals", Unit.COUNT, _H, Dimension.MARKET_EXPANSION),
    Kpi(KpiCode.PRODUCT_ALLOCATION, "Private-banking product sales", Unit.MONEY, _H, Dimension.PROFESSIONAL),
    Kpi(KpiCode.PRODUCT_COVERAGE, "Product coverage", Unit.RATE, _H, Dimension.PROFESSIONAL),
    Kpi(KpiCode.FEE_INCOME, "Fee income", Unit.MONEY, _H, Dimension.BUSINESS_RESULTS),
    Kpi(KpiCode.COMPLAINTS, "Valid complaints", Unit.COUNT, _L, Dimension.CLIENT_MARKETING),
]}

# 规定动作 2053: twenty effective calls per business day per advisor.
DAILY_CALL_TARGET = 20


class Card(models.TextChoices):
    RED = "red", _("红牌")
    YELLOW = "yellow", _("黄牌")


# Echelons rank org units against units of the same kind; the head office is not ranked.
ECHELON_KINDS = ("branch", "sub_branch", "outlet")
ECHELONS = 5
