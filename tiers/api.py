"""REST endpoints of this app, mounted under /api/v1/ (API.md "Tiers")."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from tiers import services
from tiers.choices import ChangeReason
from tiers.filters import TierChangeFilter
from tiers.models import TierChange, TierPolicy
from wealthcrm.api import raise_as_drf, role_permission
from wealthcrm.money import MoneyField
from wealthcrm.org.choices import BANK_WIDE_ROLES, CLIENT_DATA_ROLES
from wealthcrm.pagination import KeysetPagination
from wealthcrm.scoped import ScopedReadOnlyViewSet

# Hall staff never see clients' assets (PRODUCT.md), so tier data is closed to them.


class TierPolicySerializer(serializers.ModelSerializer):
    head_office_floor = MoneyField(min_value=0)
    branch_floor = MoneyField(min_value=0)
    # Added later: optional, a policy that leaves them out keeps the values of the policy in force (so do
    # tier_basis, downgrade_grace_months and the day counts, optional through their model defaults).
    contribution_high = MoneyField(min_value=0, required=False)
    wallet_gap_min = MoneyField(min_value=0, required=False)
    near_threshold_margin = serializers.DecimalField(max_digits=5, decimal_places=4, min_value=0, max_value=1)

    class Meta:
        model = TierPolicy
        fields = ["id", "effective_from", "head_office_floor", "branch_floor", "near_threshold_margin",
                  "tier_basis", "downgrade_grace_months", "contribution_high", "wallet_gap_min", "activity_days",
                  "risk_assessment_valid_days", "created_by", "created_at"]
        read_only_fields = ["id", "created_by", "created_at"]
        # uniqueness is checked by the service, with the same message as the page
        extra_kwargs = {"effective_from": {"validators": []}}

    def create(self, validated_data):
        try:
            return services.create_policy(actor=self.context["request"].user, **validated_data)
        except DjangoValidationError as exc:
            raise_as_drf(exc)


class TierPolicyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                        viewsets.GenericViewSet):
    """Effective-dated tier policies; head office and admin add new ones."""

    queryset = TierPolicy.objects.all()
    serializer_class = TierPolicySerializer
    permission_classes = [role_permission(read=CLIENT_DATA_ROLES, write=BANK_WIDE_ROLES)]


class TierChangeSerializer(serializers.ModelSerializer):
    client_name = serializers.CharField(source="client.name", read_only=True)
    rule = serializers.CharField(read_only=True, help_text=_("移动客户的规则，例如“降级（连续 6 个月低于门槛） · 按上月月日均”"))

    class Meta:
        model = TierChange
        fields = ["id", "client", "client_name", "from_tier", "to_tier", "direction", "aum", "effective_date",
                  "reason", "run", "created_at", "basis", "basis_aum", "months_below", "rule"]


class TierChangePagination(KeysetPagination):
    ordering = ("-effective_date", "-id")


class TierChangeViewSet(ScopedReadOnlyViewSet):
    """Tier-change history of the clients in the caller's scope, latest first."""

    queryset = TierChange.objects.select_related("client")
    serializer_class = TierChangeSerializer
    permission_classes = [role_permission(read=CLIENT_DATA_ROLES, write=())]
    filterset_class = TierChangeFilter
    pagination_class = TierChangePagination


class RecomputeSerializer(serializers.Serializer):
    as_of = serializers.DateField(required=False, help_text=_("计算日期，默认今天"))


class RecomputeView(APIView):
    """Queue the same recompute the nightly schedule runs; follow it at ``/api/v1/tasks/{task_id}/``."""

    permission_classes = [role_permission(read=BANK_WIDE_ROLES, write=BANK_WIDE_ROLES)]

    @extend_schema(request=RecomputeSerializer,
                   responses={202: inline_serializer("TaskQueued", {"task_id": serializers.CharField()})})
    def post(self, request):
        from tiers.tasks import recompute_tiers_task

        body = RecomputeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        as_of = body.validated_data.get("as_of")
        result = recompute_tiers_task.delay(as_of=as_of.isoformat() if as_of else None, reason=ChangeReason.MANUAL)
        return Response({"task_id": result.id}, status=status.HTTP_202_ACCEPTED)


router = SimpleRouter()
router.register("tier-policies", TierPolicyViewSet, basename="tier-policy")
router.register("tier-changes", TierChangeViewSet, basename="tier-change")
urlpatterns = [
    path("tiers/recompute/", RecomputeView.as_view(), name="tier-recompute"),
    *router.urls,
]
