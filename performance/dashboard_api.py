"""``GET /api/v1/dashboard/``: the managers' dashboard (经营看板) as JSON, from the same
:func:`performance.dashboards.figures` as the page, with the page's ``period`` and ``unit`` (drill-down)
parameters. Registered on the performance router (``performance/api.py``)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from performance import dashboards
from wealthcrm.api import raise_as_drf, role_permission
from wealthcrm.org.choices import MANAGER_ROLES
from wealthcrm.org.models import OrgUnit
from wealthcrm.scoped import ScopedViewSet

AMOUNT = {"max_digits": 20, "decimal_places": 2}


class DashboardQuerySerializer(serializers.Serializer):
    period = serializers.CharField(required=False, allow_blank=True, max_length=7,
                                   help_text="YYYY-MM（默认本月；不得早于 2000-01 或晚于本月）")
    unit = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1,
                                    help_text="下钻到的机构 id（须在本人管辖子树内，否则 404；默认本人的根机构）")


class UnitRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    kind = serializers.CharField()


class TierMixSerializer(serializers.Serializer):
    tier = serializers.CharField()
    label = serializers.CharField()
    clients = serializers.IntegerField()
    aum = serializers.DecimalField(**AMOUNT)


class TrendSerializer(serializers.Serializer):
    month = serializers.DateField(format="%Y-%m")
    clients = serializers.IntegerField()
    aum = serializers.DecimalField(**AMOUNT)


class TierChangeRowSerializer(serializers.Serializer):
    tier = serializers.CharField()
    label = serializers.CharField()
    upgrades = serializers.IntegerField()
    downgrades = serializers.IntegerField()


class TierChangesSerializer(serializers.Serializer):
    upgrades = serializers.IntegerField()
    downgrades = serializers.IntegerField()
    by_tier = TierChangeRowSerializer(many=True)


class FunnelSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    recommended = serializers.IntegerField()
    contacted = serializers.IntegerField()
    signed = serializers.IntegerField()
    closed = serializers.IntegerField()
    declined = serializers.IntegerField()
    breached = serializers.IntegerField()
    sla_met = serializers.IntegerField()
    sla_due = serializers.IntegerField()
    sla_rate_percent = serializers.FloatField(source="sla_rate", allow_null=True)
    conversion_percent = serializers.FloatField(source="conversion", allow_null=True)


class DeadlinesSerializer(serializers.Serializer):
    breached = serializers.IntegerField(help_text="超时未跟进（待联系）的推荐")
    due_today = serializers.IntegerField(help_text="今日稍后到期的推荐")


class CallbacksSerializer(serializers.Serializer):
    callbacks_overdue = serializers.IntegerField(help_text="回访计划已到期的客户（列表：/clients/?callback=overdue）")
    callbacks_due_soon = serializers.IntegerField(help_text="7 天内到期（/clients/?callback=due_soon）")
    follow_ups_today = serializers.IntegerField(help_text="今日应跟进（/clients/?follow_up=today）")
    follow_ups_overdue = serializers.IntegerField(help_text="逾期未跟进（/clients/?follow_up=overdue）")
    refreshed_at = serializers.DateTimeField(allow_null=True, help_text="每晚统计的时间；null：尚未统计")


class CoverageSerializer(serializers.Serializer):
    rate = serializers.FloatField(allow_null=True, help_text="0–1")
    percent = serializers.FloatField(allow_null=True)
    advisors = serializers.IntegerField()


class LeaderSerializer(serializers.Serializer):
    advisor = serializers.IntegerField(source="advisor_id")
    advisor_name = serializers.CharField(source="advisor")
    org_unit = serializers.IntegerField(source="org_unit_id")
    org_unit_name = serializers.CharField(source="org_unit.name")
    score = serializers.DecimalField(max_digits=8, decimal_places=2)
    rank_in_branch = serializers.IntegerField()
    rank_in_bank = serializers.IntegerField()


class MeetingStatusSerializer(serializers.Serializer):
    org_unit = serializers.IntegerField(source="unit.pk")
    org_unit_name = serializers.CharField(source="unit.name")
    missed_last_month = serializers.BooleanField()
    none_this_month = serializers.BooleanField()
    last_held = serializers.DateField(allow_null=True)


class CardedSerializer(serializers.Serializer):
    org_unit = serializers.IntegerField(source="org_unit_id")
    org_unit_name = serializers.CharField(source="org_unit.name")
    kind = serializers.CharField()
    rank = serializers.IntegerField()
    echelon = serializers.IntegerField()
    card = serializers.CharField()


class ChannelSerializer(serializers.Serializer):
    channel = serializers.CharField()
    label = serializers.CharField()
    clients = serializers.IntegerField()
    referrals = serializers.IntegerField()


class DashboardSerializer(serializers.Serializer):
    """The dashboard of one org unit's subtree for one month; the head-office sections are null for managers."""

    period = serializers.CharField()
    unit = UnitRefSerializer()
    breadcrumb = UnitRefSerializer(many=True, source="ancestors")
    children = UnitRefSerializer(many=True)
    tier_mix = TierMixSerializer(many=True, source="mix")
    clients = serializers.IntegerField(source="mix_totals.clients")
    aum = serializers.DecimalField(source="mix_totals.aum", **AMOUNT)
    aum_trend = TrendSerializer(many=True, source="trend")
    tier_changes = TierChangesSerializer(source="moves")
    referral_funnel = FunnelSerializer(source="funnel")
    referral_deadlines = DeadlinesSerializer(source="deadlines")
    callbacks = CallbacksSerializer()
    reassigned = serializers.IntegerField(help_text="本月改派的客户（/clients/?reassigned_after=&reassigned_before=）")
    coverage = CoverageSerializer()
    leaderboard = LeaderSerializer(many=True, source="leaders")
    analysis_meetings = MeetingStatusSerializer(many=True, source="meetings")
    echelon_period = serializers.CharField(allow_null=True)
    carded_echelons = CardedSerializer(many=True, allow_null=True, source="carded")
    acquisition_channels = ChannelSerializer(many=True, allow_null=True, source="channels")


class OneObjectSchema(AutoSchema):
    """The collection URL answers one object (the dashboard), not a list: the schema must say so."""

    def _is_list_view(self, serializer=None) -> bool:
        return False


class DashboardViewSet(ScopedViewSet):
    """Managers (their subtree) and head office (the bank); others 403."""

    queryset = OrgUnit.objects.all()
    schema = OneObjectSchema()
    permission_classes = [role_permission(read=MANAGER_ROLES, write=())]
    filter_backends = []
    pagination_class = None

    @extend_schema(
        parameters=[OpenApiParameter("period", OpenApiTypes.STR, description="YYYY-MM（默认本月）"),
                    OpenApiParameter("unit", OpenApiTypes.INT, description="下钻机构 id（默认本人的根机构）")],
        responses={200: DashboardSerializer, 400: OpenApiResponse(description="period 或 unit 格式错误"),
                   404: OpenApiResponse(description="unit 不在本人管辖范围内")})
    def list(self, request):
        query = DashboardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        today = timezone.localdate()
        try:
            period = dashboards.parse_period(query.validated_data.get("period"), today=today)
        except DjangoValidationError as exc:
            raise_as_drf(exc)
        units = self.get_queryset()
        root, unit = dashboards.locate(request.user, units, query.validated_data.get("unit"))
        data = dashboards.figures(request.user, units=units, root=root, unit=unit, period=period, today=today,
                                  now=timezone.now())
        data.setdefault("echelon_period", None)
        data.setdefault("carded", None)
        data.setdefault("channels", None)
        return Response(DashboardSerializer(data).data)
