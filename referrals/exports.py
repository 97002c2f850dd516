"""Exports of the referral board (per tab) and the funnel (``wealthcrm.exports``): the pages' rows and filters."""

from django.db.models import DecimalField, ExpressionWrapper, F, FloatField, Func, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from referrals import selectors
from referrals.choices import ReferralStatus
from referrals.filters import ReferralBoardFilterSet, ReferralFilterSet, funnel_params
from referrals.models import Referral
from wealthcrm.exports import sql
from wealthcrm.exports.registry import ExportKind, FilterRequest, register, valid_rows
from wealthcrm.org.choices import MANAGER_ROLES


def board_rows(user, params):
    """The board's tab (``tab``) with its filter bar, as the board shows it to ``user``."""
    tab_rows = selectors.board_tab(Referral.objects.visible_to(user).open(), params.get("tab", "open"),
                                   today=timezone.localdate())
    return valid_rows(ReferralBoardFilterSet(params, queryset=tab_rows, request=FilterRequest(user)))


def board_columns() -> dict:
    return {
        "推荐编号": F("pk"),
        "客户": sql.text(Coalesce(NullIf(F("prospect_name"), Value("")), F("client__name"))),
        "存量客户号": sql.text("client__client_no"),
        "状态": sql.label("status", ReferralStatus.choices),
        "推荐机构": sql.text("org_unit__name"),
        "推荐人": sql.staff_name("referrer"),
        "跟进顾问": sql.staff_name("advisor"),
        "预估资产（万元）": sql.wan("estimated_assets"),
        "推荐时间": sql.local_time("recommended_at"),
        "跟进截止": sql.local_time("sla_due_at"),
        "超时": sql.yes_no("sla_breached", str(_("是")), str(_("否"))),
    }


def _rate(part: str, whole: str):
    """A percentage with one decimal, empty with nothing to count (as ``selectors.with_rates``)."""
    ratio = ExpressionWrapper(Value(100.0) * F(part) / NullIf(F(whole), Value(0)), output_field=FloatField())
    numeric = Func(ratio, template="(%(expressions)s)::numeric", output_field=DecimalField())
    return Func(numeric, Value(1), function="round", output_field=DecimalField())


def funnel_rows(user, params):
    """One row per referring org unit, as the funnel page counts them (its default 90-day window included)."""
    filterset = ReferralFilterSet(funnel_params(params, timezone.localdate()),
                                  queryset=Referral.objects.visible_to(user), request=FilterRequest(user))
    groups = selectors.funnel_groups(valid_rows(filterset)).order_by("org_unit__path")
    headed = {
        "机构": sql.text("org_unit__name"), "推荐数": F("total"), "待联系": F("recommended"),
        "已联系": F("contacted"), "已签约": F("signed"), "已闭环": F("closed"), "未成交": F("declined"),
        "超时": F("breached"), "SLA达成率（百分比）": _rate("sla_met", "sla_due"), "转化率（百分比）": _rate("signed", "total"),
    }
    return groups.annotate(**headed).values(*headed)


register(ExportKind(code="referral_board", label=_("推荐看板"), roles=MANAGER_ROLES, rows=board_rows,
                    columns=board_columns, order=("sla_due_at", "pk"), page="referrals:board"))
register(ExportKind(code="referral_funnel", label=_("推荐漏斗"), roles=MANAGER_ROLES, rows=funnel_rows,
                    page="referrals:funnel"))
