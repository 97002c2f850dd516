"""The client list's export (``wealthcrm.exports``): the page's rows, every role that sees the list, its filters."""

from django.db.models import F
from django.utils.translation import gettext_lazy as _

from clients.choices import RiskLevel
from clients.filters import ClientPageFilterSet
from clients.models import Client
from wealthcrm.exports import sql
from wealthcrm.exports.registry import ExportKind, FilterRequest, register, valid_rows
from wealthcrm.org.choices import CLIENT_DATA_ROLES
from wealthcrm.tiering import Tier, ValueSegment


def client_rows(user, params):
    """Clients as the list shows them to ``user`` (an advisor: their own), with the list's filters."""
    return valid_rows(ClientPageFilterSet(params, queryset=Client.objects.visible_to(user), request=FilterRequest(user)))


def client_columns() -> dict:
    # ID and phone numbers are stored encrypted: they are not exported, not even masked.
    return {
        "客户号": sql.text("client_no"),
        "姓名": sql.text("name"),
        "客户层级": sql.label("tier", Tier.choices),
        "我行金融资产（万元）": sql.wan("aum"),
        "资产日期": F("aum_as_of"),
        "价值分群": sql.label("value_segment", ValueSegment.choices),
        "临界提级": sql.yes_no("near_threshold", str(_("是")), str(_("否"))),
        "风险等级": sql.label("risk_level", RiskLevel.choices),
        "所属机构": sql.text("org_unit__name"),
        "管户顾问": sql.staff_name("advisor"),
    }


register(ExportKind(code="clients", label=_("客户清单"), roles=CLIENT_DATA_ROLES, rows=client_rows,
                    columns=client_columns, page="clients:list"))
