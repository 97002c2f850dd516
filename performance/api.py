"""REST endpoints of this app, mounted under /api/v1/ (API.md "Performance"). Thin: rules live in services."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from clients.models import Client
from performance import scorecards, services
from performance.choices import KpiCode
from performance.dashboard_api import DashboardViewSet
from performance.filters import (
    AnalysisMeetingFilter,
    ComplaintFilter,
    EchelonFilter,
    KpiTargetFilter,
    ScorecardFilter,
)
from performance.models import AnalysisMeeting, Complaint, EchelonResult, KpiTarget, Scorecard
from wealthcrm.api import raise_as_drf, role_permission
from wealthcrm.org.choices import BANK_WIDE_ROLES, CLIENT_DATA_ROLES, MANAGER_ROLES, Role
from wealthcrm.org.models import OrgUnit, Staff
from wealthcrm.pagination import KeysetPagination
from wealthcrm.scoped import ScopedReadOnlyViewSet, ScopedViewSet

PERIOD_PARAM = OpenApiParameter("period", OpenApiTypes.STR, description="YYYY-MM（默认本月）")


def period_of(request) -> services.Period:
    """``?period=YYYY-MM`` (default: the current month); malformed → 400 naming ``period``."""
    text = request.query_params.get("period")
    if not text:
        return services.Period.of(timezone.localdate())
    try:
        return services.Period.parse(text)
    except DjangoValidationError as exc:
        raise_as_drf(exc)


class ScorecardSerializer(serializers.ModelSerializer):
    advisor_name = serializers.CharField(source="advisor", read_only=True)
    period = serializers.SerializerMethodField()
    kpis = serializers.SerializerMethodField()
    score = serializers.DecimalField(max_digits=8, decimal_places=2)

    class Meta:
        model = Scorecard
        fields = ["advisor", "advisor_name", "period", "role", "org_unit", "branch", "kpis", "score", "deduction",
                  "rank_in_branch", "rank_in_bank", "computed_at"]
        read_only_fields = fields

    def get_period(self, obj) -> str:
        return f"{obj.period:%Y-%m}"

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_kpis(self, obj) -> dict:
        values = self.context["kpis"].get((obj.advisor_id, obj.period), {})
        return {code: scorecards.api_value(code, values.get(code, 0)) for code in KpiCode.values}


class RankPagination(KeysetPagination):
    ordering = ("rank_in_bank", "id")


class ScorecardViewSet(mixins.ListModelMixin, ScopedViewSet):
    """一人一表 per advisor in scope for ``?period=YYYY-MM``: an advisor sees only their own, a manager their
    subtree, head office the bank."""

    queryset = Scorecard.objects.select_related("advisor")
    serializer_class = ScorecardSerializer
    permission_classes = [role_permission(read=CLIENT_DATA_ROLES, write=BANK_WIDE_ROLES)]
    filterset_class = ScorecardFilter
    pagination_class = RankPagination

    def get_queryset(self):
        return super().get_queryset().filter(period=period_of(self.request).start)

    @extend_schema(parameters=[PERIOD_PARAM])
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        context = {**self.get_serializer_context(), "kpis": scorecards.kpi_maps(page)}
        return self.get_paginated_response(ScorecardSerializer(page, many=True, context=context).data)


class EchelonSerializer(serializers.ModelSerializer):
    org_unit_name = serializers.CharField(source="org_unit.name", read_only=True)
    # a plain string in the schema: a second OrgKind enum under "kind" would make the generator rename both
    kind = serializers.CharField(read_only=True, help_text="branch | sub_branch | outlet")
    period = serializers.SerializerMethodField()
    attainment = serializers.FloatField()
    card = serializers.SerializerMethodField()

    class Meta:
        model = EchelonResult
        fields = ["org_unit", "org_unit_name", "kind", "period", "client_growth", "aum_growth", "attainment", "rank",
                  "echelon", "card"]
        read_only_fields = fields

    def get_period(self, obj) -> str:
        return f"{obj.period:%Y-%m}"

    @extend_schema_field(OpenApiTypes.STR)
    def get_card(self, obj):
        return obj.card or None


class EchelonPagination(KeysetPagination):
    ordering = ("kind", "rank", "id")


class EchelonViewSet(mixins.ListModelMixin, ScopedViewSet):
    """五梯队 of ``?period=YYYY-MM``: managers see the units of their subtree, head office all."""

    queryset = EchelonResult.objects.select_related("org_unit")
    serializer_class = EchelonSerializer
    permission_classes = [role_permission(read=MANAGER_ROLES, write=())]
    filterset_class = EchelonFilter
    pagination_class = EchelonPagination

    def get_queryset(self):
        return super().get_queryset().filter(period=period_of(self.request).start)

    @extend_schema(parameters=[PERIOD_PARAM])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


class ScorecardRecomputeSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="YYYY-MM")

    def validate_period(self, value):
        try:
            return services.Period.parse(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict["period"]) from exc


class RecomputeView(APIView):
    """Queue the job the nightly schedule runs, for one month; follow it at ``/api/v1/tasks/{task_id}/``."""

    permission_classes = [role_permission(read=BANK_WIDE_ROLES, write=BANK_WIDE_ROLES)]

    @extend_schema(request=ScorecardRecomputeSerializer,
                   responses={202: inline_serializer("ScorecardTaskQueued", {"task_id": serializers.CharField()})})
    def post(self, request):
        from performance.tasks import recompute_scorecards_task

        body = ScorecardRecomputeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = recompute_scorecards_task.delay(period=str(body.validated_data["period"]))
        return Response({"task_id": result.id}, status=status.HTTP_202_ACCEPTED)


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """An id looked up in the caller's scope only: an id out of scope reads as "does not exist"."""

    def __init__(self, model, **kwargs):
        self.model = model
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.model.objects.visible_to(self.context["request"].user)


class ComplaintSerializer(serializers.ModelSerializer):
    client = ScopedRelatedField(Client)
    advisor = ScopedRelatedField(Staff)
    client_name = serializers.CharField(source="client.name", read_only=True)
    advisor_name = serializers.CharField(source="advisor", read_only=True)
    valid = serializers.BooleanField(allow_null=True, required=False, default=None)

    class Meta:
        model = Complaint
        fields = ["id", "client", "client_name", "advisor", "advisor_name", "received_on", "valid", "decided_by",
                  "decided_at", "note", "created_at"]
        read_only_fields = ["id", "decided_by", "decided_at", "created_at"]

    def create(self, validated_data):
        try:
            return services.record_complaint(actor=self.context["request"].user, **validated_data)
        except DjangoValidationError as exc:
            raise_as_drf(exc)


class DecisionSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ComplaintViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Complaints about advisors in scope; managers record and decide them (only valid ones deduct)."""

    queryset = Complaint.objects.select_related("client", "advisor")
    serializer_class = ComplaintSerializer
    permission_classes = [role_permission(read=CLIENT_DATA_ROLES, write=MANAGER_ROLES)]
    filterset_class = ComplaintFilter

    @extend_schema(request=DecisionSerializer, responses=ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        complaint = self.get_object()
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            services.decide_complaint(complaint=complaint, actor=request.user, **body.validated_data)
        except DjangoValidationError as exc:
            raise_as_drf(exc)
        return Response(ComplaintSerializer(complaint, context=self.get_serializer_context()).data)


class AnalysisMeetingSerializer(serializers.ModelSerializer):
    org_unit = ScopedRelatedField(OrgUnit)
    attendees = ScopedRelatedField(Staff, many=True)
    clients = ScopedRelatedField(Client, many=True, required=False)
    org_unit_name = serializers.CharField(source="org_unit.name", read_only=True)

    class Meta:
        model = AnalysisMeeting
        fields = ["id", "org_unit", "org_unit_name", "held_on", "attendees", "clients", "notes", "created_at"]
        read_only_fields = ["id", "created_at"]

    def create(self, validated_data):
        try:
            return services.record_meeting(actor=self.context["request"].user, **validated_data)
        except DjangoValidationError as exc:
            raise_as_drf(exc)


class AnalysisMeetingViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """客户分析会 of the units in scope (managers and head office)."""

    queryset = AnalysisMeeting.objects.select_related("org_unit").prefetch_related("attendees", "clients")
    serializer_class = AnalysisMeetingSerializer
    permission_classes = [role_permission(read=MANAGER_ROLES, write=MANAGER_ROLES)]
    filterset_class = AnalysisMeetingFilter


class KpiTargetSerializer(serializers.ModelSerializer):
    # the full role set keeps one "Role" enum in the schema; the service refuses roles that are not scored
    role = serializers.ChoiceField(choices=Role.choices)
    target = serializers.DecimalField(max_digits=20, decimal_places=4)
    weight = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=0)
    cap = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=1)

    class Meta:
        model = KpiTarget
        fields = ["id", "role", "kpi", "effective_from", "target", "weight", "cap", "created_by", "created_at"]
        read_only_fields = ["id", "created_by", "created_at"]
        # checked by the service, with the same messages as the page
        validators = []
        extra_kwargs = {"effective_from": {"validators": []}}

    def create(self, validated_data):
        try:
            return services.create_target(actor=self.context["request"].user, **validated_data)
        except DjangoValidationError as exc:
            raise_as_drf(exc)


class KpiTargetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                       viewsets.GenericViewSet):
    """Effective-dated targets and weights per role and KPI; head office adds new ones. Bank-wide reference
    data (the same targets for every advisor of a role), so not a scoped viewset: see tests/core/test_url_scope.py."""

    queryset = KpiTarget.objects.all()
    serializer_class = KpiTargetSerializer
    permission_classes = [role_permission(read=CLIENT_DATA_ROLES, write=BANK_WIDE_ROLES)]
    filterset_class = KpiTargetFilter


router = SimpleRouter()
router.register("scorecards", ScorecardViewSet, basename="scorecard")
router.register("echelons", EchelonViewSet, basename="echelon")
router.register("complaints", ComplaintViewSet, basename="complaint")
router.register("analysis-meetings", AnalysisMeetingViewSet, basename="analysis-meeting")
router.register("kpi-targets", KpiTargetViewSet, basename="kpi-target")
router.register("dashboard", DashboardViewSet, basename="dashboard")
urlpatterns = [
    path("scorecards/recompute/", RecomputeView.as_view(), name="scorecard-recompute"),
    *router.urls,
]
