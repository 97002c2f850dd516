"""The role-aware navigation: one list, filtered per user. Later features add their pages here."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from wealthcrm.org.choices import BANK_WIDE_ROLES, CLIENT_DATA_ROLES, MANAGER_ROLES, RELATIONSHIP_ROLES, Role

EVERYONE = tuple(Role.values)


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: tuple
    section: str = ""


ITEMS = [
    NavItem(_("工作台"), "home", EVERYONE),
    NavItem(_("客户"), "clients:list", CLIENT_DATA_ROLES, _("客户管理")),
    NavItem(_("临界提级"), "tiers:near-threshold", CLIENT_DATA_ROLES, _("客户管理")),
    NavItem(_("分层分布"), "tiers:distribution", MANAGER_ROLES, _("客户管理")),
    NavItem(_("层级变动"), "tiers:changes", MANAGER_ROLES, _("客户管理")),
    NavItem(_("待调整管户"), "tiers:reassign", MANAGER_ROLES, _("客户管理")),
    NavItem(_("回访计划"), "clients:callback-plans", MANAGER_ROLES, _("客户管理")),
    NavItem(_("推荐客户"), "referrals:submit", EVERYONE, _("厅堂联动")),
    NavItem(_("我的推荐"), "referrals:mine", EVERYONE, _("厅堂联动")),
    NavItem(_("待跟进推荐"), "referrals:inbox", (*RELATIONSHIP_ROLES, Role.BRANCH_MANAGER), _("厅堂联动")),
    NavItem(_("推荐看板"), "referrals:board", MANAGER_ROLES, _("厅堂联动")),
    NavItem(_("推荐漏斗"), "referrals:funnel", MANAGER_ROLES, _("厅堂联动")),
    NavItem(_("经营看板"), "performance:dashboard", MANAGER_ROLES, _("业绩考核")),
    NavItem(_("我的考核表"), "performance:scorecard", tuple(RELATIONSHIP_ROLES), _("业绩考核")),
    NavItem(_("顾问排行榜"), "performance:leaderboard", MANAGER_ROLES, _("业绩考核")),
    NavItem(_("五梯队"), "performance:echelons", MANAGER_ROLES, _("业绩考核")),
    NavItem(_("客户分析会"), "performance:meetings", MANAGER_ROLES, _("业绩考核")),
    NavItem(_("客户投诉"), "performance:complaints", MANAGER_ROLES, _("业绩考核")),
    NavItem(_("考核目标"), "performance:targets", BANK_WIDE_ROLES, _("总行管理")),
    NavItem(_("分层政策"), "tiers:policy", BANK_WIDE_ROLES, _("总行管理")),
    NavItem(_("数据导入"), "clients:imports", BANK_WIDE_ROLES, _("总行管理")),
    NavItem(_("工作日历"), "calendar:manage", BANK_WIDE_ROLES, _("总行管理")),
    NavItem(_("月度报告"), "reports:list", BANK_WIDE_ROLES, _("总行管理")),
    NavItem(_("我的导出"), "exports:list", CLIENT_DATA_ROLES, _("系统")),
    NavItem(_("审计日志"), "audit:list", BANK_WIDE_ROLES, _("系统")),
    NavItem(_("接口文档"), "api-docs", BANK_WIDE_ROLES, _("系统")),
    NavItem(_("系统管理"), "admin:index", (Role.ADMIN,), _("系统")),
]


def items_for(user) -> list[dict]:
    """Navigation entries the user's role may open; entries of features not installed yet are skipped."""
    if not user.is_authenticated:
        return []
    entries = []
    for item in ITEMS:
        if user.effective_role not in item.roles:
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        entries.append({"label": item.label, "url": url, "section": item.section})
    return entries
