"""REST endpoints of this app, mounted under /api/v1/ (API.md "Referrals"). Thin: the rules are in services."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from clients.choices import AcquisitionChannel, ContactChannel
from clients.models import Client, without_personal_data
from referrals import services
from referrals.choices import BusinessLine, ClientSource, LinkDirection, ReferralAction, ReferralStatus
from referrals.filters import ReferralFilterSet
from referrals.models import Referral, ReferralAssignment
from wealthcrm.api import LabelField, raise_as_drf
from wealthcrm.money import MoneyField
from wealthcrm.org.models import Staff
from wealthcrm.scoped import ScopedReadOnlyViewSet

STATUS_FIELDS = ["id", "status", "status_label", "referrer", "referrer_name", "advisor", "advisor_name", "org_unit",
                 "channel", "subject", "recommended_at", "sla_due_at", "sla_breached", "contacted_at", "signed_at",
                 "closed_at", "declined_at", "routed_to_manager", "created_at", "contact_channel", "reply",
                 "business_line", "direction", "can_act"]


# ``can_act`` tells the two views of a referral apart, in the responses and in the schema (``oneOf``).
@extend_schema_field({"type": "boolean", "enum": [True]})
class FullViewFlag(serializers.BooleanField):
    pass


@extend_schema_field({"type": "boolean", "enum": [False]})
class StatusViewFlag(serializers.BooleanField):
    pass


class ReferralStatusSerializer(serializers.ModelSerializer):
    """What the referrer sees: progress only — no client assets, phone, note or name beyond the surname."""

    status_label = LabelField(ReferralStatus.choices, source="status")
    referrer_name = serializers.CharField(source="referrer", read_only=True)
    advisor_name = serializers.CharField(source="advisor", read_only=True)
    subject = serializers.CharField(source="subject_masked", read_only=True)
    # Blank until the first follow-up (the schema must say so).
    contact_channel = serializers.ChoiceField(choices=ContactChannel.choices, read_only=True, allow_blank=True)
    can_act = StatusViewFlag(read_only=True, default=False)

    class Meta:
        model = Referral
        fields = STATUS_FIELDS
        read_only_fields = fields


class ReferralBreachSerializer(serializers.ModelSerializer):
    """A missed deadline, on the advisor whose turn it was (it stays after a reassignment)."""

    advisor_name = serializers.CharField(source="advisor", read_only=True)

    class Meta:
        model = ReferralAssignment
        fields = ["advisor", "advisor_name", "assigned_at", "due_at", "breached_at"]
        read_only_fields = fields


class ReferralSerializer(ReferralStatusSerializer):
    """The full referral, for the assigned advisor and managers in scope (``can_act``)."""

    subject = serializers.CharField(read_only=True)
    client_name = serializers.CharField(source="client.name", read_only=True, default=None, allow_null=True)
    prospect_phone_masked = serializers.CharField(read_only=True)
    # Blank for a prospect not linked to a client record (the schema must say so).
    client_source = serializers.ChoiceField(choices=ClientSource.choices, read_only=True, allow_blank=True)
    can_act = FullViewFlag(read_only=True, default=True)
    breaches = ReferralBreachSerializer(many=True, read_only=True)

    class Meta:
        model = Referral
        fields = [*STATUS_FIELDS, "client", "client_no", "client_name", "client_source", "prospect_name",
                  "prospect_phone_masked", "estimated_assets", "note", "decline_reason", "reminder_sent_at",
                  "breach_notified_at", "updated_at", "breaches"]
        read_only_fields = fields


# Who reads a referral decides its shape (API.md "Referrals"): the schema says so, so responses match it.
def referral_view(*, many: bool = False) -> PolymorphicProxySerializer:
    return PolymorphicProxySerializer(component_name="ReferralView",
                                      serializers=[ReferralSerializer, ReferralStatusSerializer],
                                      resource_type_field_name=None, many=many)


REFERRAL_VIEW = referral_view()


def represent(referral) -> dict:
    """Full detail where the caller may act on the referral, status only where they are just the referrer."""
    serializer = ReferralSerializer if getattr(referral, "can_act", False) else ReferralStatusSerializer
    return serializer(referral).data


def represent_page(referrals) -> list[dict]:
    """:func:`represent` for a page, in order, with one serializer per kind: building a ModelSerializer per row
    cost most of the list's time (bench ``pages:*:/api/v1/referrals/``)."""
    full = [r for r in referrals if getattr(r, "can_act", False)]
    status_only = [r for r in referrals if not getattr(r, "can_act", False)]
    rows = {id(r): row for r, row in zip(full, ReferralSerializer(full, many=True).data, strict=True)}
    rows.update({id(r): row for r, row in zip(status_only, ReferralStatusSerializer(status_only, many=True).data,
                                              strict=True)})
    return [rows[id(r)] for r in referrals]


class ReferralCreateSerializer(serializers.Serializer):
    client = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    client_no = serializers.CharField(required=False, allow_blank=True, max_length=32)
    prospect_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    prospect_phone = serializers.CharField(required=False, allow_blank=True, max_length=30, write_only=True)
    estimated_assets = MoneyField(min_value=0, required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    advisor = serializers.PrimaryKeyRelatedField(queryset=Staff.objects.select_related("org_unit"),
                                                 required=False, allow_null=True)
    channel = serializers.ChoiceField(choices=AcquisitionChannel.choices, required=False, allow_blank=True)
    # Optional (older integrations send neither): defaults from the referrer's role, each from the other.
    business_line = serializers.ChoiceField(choices=BusinessLine.choices, required=False, allow_blank=True)
    direction = serializers.ChoiceField(choices=LinkDirection.choices, required=False, allow_blank=True)

    def validate(self, attrs):
        if not (attrs.get("client") or (attrs.get("client_no") or "").strip()
                or (attrs.get("prospect_name") or "").strip()):
            raise serializers.ValidationError({"prospect_name": ["请填写 client、client_no 或 prospect_name 之一。"]})
        return attrs


class ReferralNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ReferralContactSerializer(ReferralNoteSerializer):
    channel = serializers.ChoiceField(choices=ContactChannel.choices, required=False)


class ReferralSignSerializer(ReferralNoteSerializer):
    # A prospect's core-banking number: links that client, or creates it from the prospect's data.
    client_no = serializers.CharField(required=False, allow_blank=True, max_length=32)


class ReferralDeclineSerializer(serializers.Serializer):
    # Not required here: the service checks the status first (wrong status → 409), then the reason (→ 400).
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ReferralReassignSerializer(serializers.Serializer):
    advisor = serializers.IntegerField(min_value=1)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


ACTION_INPUT = {
    ReferralAction.CONTACT: ReferralContactSerializer,
    ReferralAction.SIGN: ReferralSignSerializer,
    ReferralAction.CLOSE: ReferralNoteSerializer,
    ReferralAction.DECLINE: ReferralDeclineSerializer,
    ReferralAction.REASSIGN: ReferralReassignSerializer,
}

CONFLICT = OpenApiResponse(description="当前状态不允许该操作：{detail, status}")


class ReferralViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Referrals visible to the caller; any member of staff may submit one."""

    # Prefetched, not joined: the page's rows are picked from the referrals alone (an advisor's through the
    # advisor and referrer indexes), then their people, units and clients read by id; joined first, PostgreSQL
    # walked the primary key backwards filtering on the caller (34 ms for an advisor at 1M). The client is shown
    # by name only: its encrypted ID and phone stay unread (a Fernet decrypt each).
    queryset = Referral.objects.prefetch_related(
        "referrer", "advisor", "org_unit", Prefetch("client", queryset=without_personal_data(Client.objects.all())))
    serializer_class = ReferralSerializer
    filterset_class = ReferralFilterSet
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        turns = ReferralAssignment.objects.select_related("advisor")
        return super().get_queryset().with_access(self.request.user).prefetch_related(
            Prefetch("assignments", queryset=turns))

    @extend_schema(responses=referral_view(many=True))
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(represent_page(page))

    @extend_schema(responses=REFERRAL_VIEW)
    def retrieve(self, request, *args, **kwargs):
        return Response(represent(self.get_object()))

    @extend_schema(request=ReferralCreateSerializer, responses={201: REFERRAL_VIEW})
    def create(self, request, *args, **kwargs):
        data = ReferralCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            referral = services.submit_referral(referrer=request.user, **data.validated_data)
        except DjangoValidationError as exc:
            raise_as_drf(exc)
        return Response(represent(self.get_queryset().get(pk=referral.pk)), status=status.HTTP_201_CREATED)

    def _act(self, request, pk, action_name):
        data = ACTION_INPUT[action_name](data=request.data)
        data.is_valid(raise_exception=True)
        try:
            referral = services.transition(referral_id=int(pk), action=action_name, actor=request.user,
                                           **data.validated_data)
        except Referral.DoesNotExist:
            raise Http404 from None
        except services.TransitionNotAllowed as exc:
            return Response({"detail": str(exc), "status": exc.status}, status=status.HTTP_409_CONFLICT)
        except DjangoValidationError as exc:
            raise_as_drf(exc)
        fresh = self.get_queryset().filter(pk=referral.pk).first()
        return Response(represent(fresh) if fresh else ReferralSerializer(referral).data)

    @extend_schema(request=ReferralContactSerializer, responses={200: REFERRAL_VIEW, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def contact(self, request, pk=None):
        return self._act(request, pk, ReferralAction.CONTACT)

    @extend_schema(request=ReferralSignSerializer, responses={200: REFERRAL_VIEW, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        return self._act(request, pk, ReferralAction.SIGN)

    @extend_schema(request=ReferralDeclineSerializer, responses={200: REFERRAL_VIEW, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._act(request, pk, ReferralAction.DECLINE)

    @extend_schema(request=ReferralNoteSerializer, responses={200: REFERRAL_VIEW, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._act(request, pk, ReferralAction.CLOSE)

    @extend_schema(request=ReferralReassignSerializer, responses={200: REFERRAL_VIEW, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        return self._act(request, pk, ReferralAction.REASSIGN)


router = SimpleRouter()
router.register("referrals", ReferralViewSet, basename="referral")
urlpatterns = router.urls
