"""Exports of the tier lists (``wealthcrm.exports``): near-threshold clients, tier changes, the distribution."""

from django.core.exceptions import ValidationError
from django.db.models import Case, DecimalField, F, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.models import Client
from tiers import selectors
from tiers.choices import ChangeReason, Direction
from tiers.filters import TierChangeFilter, near_threshold_filter
from tiers.models import TierChange, TierPolicy
from wealthcrm.exports import sql
from wealthcrm.exports.registry import ExportKind, FilterRequest, register, valid_rows
from wealthcrm.org.choices import CLIENT_DATA_ROLES, MANAGER_ROLES
from wealthcrm.org.models import OrgUnit
from wealthcrm.pagination import parse_id
from wealthcrm.tiering import Tier, ValueSegment


def near_threshold_rows(user, params):
    clients = selectors.near_threshold_clients(Client.objects.visible_to(user))
    return valid_rows(near_threshold_filter(params, clients, FilterRequest(user)))


def near_threshold_columns() -> dict:
    """The uplift campaign list: each client's next floor under today's policy and the gap to it, in 万."""
    policy = TierPolicy.objects.effective_on(timezone.localdate())
    floor = Case(*[When(tier=tier, then=Value(policy.next_floor(tier))) for tier in Tier.values] if policy else [],
                 default=None, output_field=DecimalField())
    return {
        "客户号": sql.text("client_no"),
        "姓名": sql.text("name"),
        "所属机构": sql.text("org_unit__name"),
        "管户顾问": sql.staff_name("advisor"),
        "当前层级": sql.label("tier", Tier.choices),
        "我行金融资产（万元）": sql.wan("aum"),
        "下一层级门槛（万元）": sql.wan(floor),
        "距门槛差额（万元）": sql.wan(floor - F("aum")),
        "可投资金融资产（万元）": sql.wan("investable_assets"),
        "价值分群": sql.label("value_segment", ValueSegment.choices),
    }


def change_rows(user, params):
    return valid_rows(TierChangeFilter(params, queryset=TierChange.objects.visible_to(user),
                                       request=FilterRequest(user)))


def change_columns() -> dict:
    return {
        "生效日期": F("effective_date"),
        "客户号": sql.text("client__client_no"),
        "姓名": sql.text("client__name"),
        "所属机构": sql.text("client__org_unit__name"),
        "原层级": sql.label("from_tier", Tier.choices),
        "新层级": sql.label("to_tier", Tier.choices),
        "方向": sql.label("direction", Direction.choices),
        "我行金融资产（万元）": sql.wan("aum"),
        "原因": sql.label("reason", ChangeReason.choices),
    }


def distribution_rows(user, params):
    """Per child unit (and the unit itself) and tier: clients and AUM, as the distribution page counts them."""
    unit = selectors.distribution_root(user)
    if params.get("unit"):
        unit = OrgUnit.objects.visible_to(user).filter(pk=parse_id(params["unit"])).first()
    if unit is None:
        raise ValidationError({"unit": [_("机构不存在或不在权限范围内。")]})
    child = OrgUnit.objects.filter(pk=Cast(NullIf(OuterRef("segment"), Value("")), IntegerField()))
    headed = {
        "机构": sql.text(Coalesce(Subquery(child.values("name")[:1]), Value(unit.name))),
        "客户层级": sql.label("tier", Tier.choices),
        "客户数": F("n"),
        "我行金融资产（万元）": sql.wan("aum_total"),
    }
    return (selectors.distribution_groups(user, unit).annotate(**headed).values(*headed)
            .order_by("segment", "tier"))


register(ExportKind(code="near_threshold", label=_("临界提级客户"), roles=CLIENT_DATA_ROLES,
                    rows=near_threshold_rows, columns=near_threshold_columns, order=("-aum", "-pk"),
                    page="tiers:near-threshold"))
register(ExportKind(code="tier_changes", label=_("层级变动"), roles=MANAGER_ROLES, rows=change_rows,
                    columns=change_columns, page="tiers:changes"))
register(ExportKind(code="tier_distribution", label=_("分层分布"), roles=MANAGER_ROLES, rows=distribution_rows,
                    page="tiers:distribution"))
