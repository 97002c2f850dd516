"""REST endpoints of this app, mounted under /api/v1/ (API.md "Clients", "Contacts", "Import files")."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Exists, OuterRef
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from clients import imports, selectors, services
from clients.filters import ClientFilterSet, ContactFilterSet
from clients.imports.cells import CellError, parse_id_number
from clients.models import CallbackPlan, Client, Company, Contact, Household, ImportJob, without_personal_data
from wealthcrm.api import LabelField, ScopedChoiceField, raise_as_drf, role_permission
from wealthcrm.money import MoneyField
from wealthcrm.org.choices import BANK_WIDE_ROLES, CLIENT_DATA_ROLES, MANAGER_ROLES
from wealthcrm.org.models import OrgUnit, Staff
from wealthcrm.org.scope import directory_q, sees_everything
from wealthcrm.pagination import KeysetPagination
from wealthcrm.phone import PhoneError, clean_phone
from wealthcrm.scoped import ScopedReadOnlyViewSet
from wealthcrm.tiering import Tier, ValueSegment, amount_tier, risk_assessment_validity

ClientPermission = role_permission(read=CLIENT_DATA_ROLES, write=CLIENT_DATA_ROLES)
BankWidePermission = role_permission(read=BANK_WIDE_ROLES, write=BANK_WIDE_ROLES)


def households_in_reach(user):
    if sees_everything(user):
        return Household.objects.all()
    return Household.objects.filter(Exists(Client.objects.visible_to(user).filter(household=OuterRef("pk"))))


def companies_in_reach(user):
    return Company.objects.filter(directory_q(user))


class ClientSerializer(serializers.ModelSerializer):
    # Personal data: write-only in clear, read masked (API.md). Errors never echo the value.
    id_number = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=40)
    phone = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=30)
    id_number_masked = serializers.CharField(read_only=True)
    phone_masked = serializers.CharField(read_only=True)
    org_unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all(), required=False)
    org_unit_name = serializers.CharField(source="org_unit.name", read_only=True)
    advisor = serializers.PrimaryKeyRelatedField(queryset=Staff.objects.all(), required=False, allow_null=True)
    advisor_name = serializers.CharField(source="advisor", read_only=True, default=None)
    # Only a family one of the caller's own clients belongs to (joining another advisor's household would list its
    # members on the 360 page); a company of the caller's branch (managers: their subtree), like the colleagues
    # they may pick.
    household = ScopedChoiceField(households_in_reach, queryset=Household.objects.all(), required=False,
                                  allow_null=True)
    company = ScopedChoiceField(companies_in_reach, queryset=Company.objects.all(), required=False, allow_null=True)
    aum = MoneyField(read_only=True)
    investable_assets = MoneyField(required=False, allow_null=True, min_value=0)
    contribution = MoneyField(required=False, allow_null=True)
    risk_expires_on = serializers.SerializerMethodField()
    # Blank until the first recompute classifies the client (the schema must say so).
    value_segment = serializers.ChoiceField(choices=ValueSegment.choices, read_only=True, allow_blank=True)
    tier_label = LabelField(Tier.choices, source="tier")
    household_aum = serializers.SerializerMethodField()
    household_tier = serializers.SerializerMethodField()
    household_hidden = serializers.SerializerMethodField()

    class Meta:
        model = Client
        fields = ["id", "client_no", "name", "id_number", "id_number_masked", "phone", "phone_masked", "birth_date",
                  "gender", "occupation", "risk_level", "risk_assessed_on", "risk_expires_on",
                  "investment_preferences", "tags", "acquisition_channel", "org_unit", "org_unit_name", "advisor",
                  "advisor_name", "household", "household_relation", "household_aum", "household_tier",
                  "household_hidden", "company", "company_role", "aum", "aum_as_of",
                  "investable_assets", "contribution", "tier", "tier_label", "near_threshold", "value_segment",
                  "created_at", "updated_at"]
        read_only_fields = ["aum_as_of", "tier", "near_threshold", "value_segment", "created_at", "updated_at"]

    @extend_schema_field(MoneyField(allow_null=True))
    def get_household_aum(self, client) -> str | None:
        """Sum of the AUM of the household's members in the caller's scope (clients.selectors.with_households)."""
        value = getattr(client, "household_aum", None)
        return f"{value:.2f}" if client.household_id and value is not None else None

    @extend_schema_field(serializers.ChoiceField(choices=Tier.choices, allow_null=True))
    def get_household_tier(self, client) -> str | None:
        value = getattr(client, "household_aum", None)
        if not client.household_id or value is None:
            return None
        if not hasattr(self, "_tier_of"):  # one policy lookup per response, as for the risk validity
            self._tier_of = amount_tier(timezone.localdate())
        return self._tier_of(value).value if self._tier_of else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_household_hidden(self, client) -> int | None:
        """Members of the household outside the caller's scope: counted, never summed."""
        return getattr(client, "household_hidden", None) if client.household_id else None

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_risk_expires_on(self, client) -> date | None:
        # One policy lookup per response: a list serializes every row with this same (child) serializer.
        if not hasattr(self, "_risk_validity"):
            self._risk_validity = risk_assessment_validity(timezone.localdate())
        return client.risk_expires_on(self._risk_validity)

    def validate_id_number(self, value):
        value = services.normalise_personal(value)
        if not value:
            return value
        try:
            return parse_id_number(value)
        except CellError as exc:
            raise serializers.ValidationError(str(exc)) from None

    def validate_phone(self, value):
        try:
            return clean_phone(value)
        except PhoneError as exc:
            raise serializers.ValidationError(str(exc)) from None

    def validate_tags(self, value):
        if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
            raise serializers.ValidationError(_("标签应为字符串列表。"))
        return value

    def create(self, validated_data):
        request = self.context["request"]
        try:
            return services.create_client(actor=request.user, request=request, **validated_data)
        except DjangoValidationError as exc:
            raise_as_drf(exc)
        except DjangoPermissionDenied:
            raise PermissionDenied from None

    def update(self, instance, validated_data):
        request = self.context["request"]
        try:
            return services.update_client(client=instance, actor=request.user, request=request, **validated_data)
        except DjangoValidationError as exc:
            raise_as_drf(exc)
        except DjangoPermissionDenied:
            raise PermissionDenied from None


class RevealSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=list(services.PERSONAL_FIELDS))


class ReassignSerializer(serializers.Serializer):
    advisor = serializers.PrimaryKeyRelatedField(queryset=Staff.objects.all())


class ClientViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedReadOnlyViewSet):
    queryset = Client.objects.select_related("org_unit", "advisor")
    serializer_class = ClientSerializer
    permission_classes = [ClientPermission]
    filterset_class = ClientFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        # household figures as the caller may know them: over the members in their scope
        return selectors.with_households(super().get_queryset(), visible=Client.objects.visible_to(self.request.user))

    def retrieve(self, request, *args, **kwargs):
        client = self.get_object()
        services.record_client_view(client=client, actor=request.user, request=request, via="api")
        return Response(self.get_serializer(client).data)

    @extend_schema(request=RevealSerializer, responses=inline_serializer(
        "RevealedValue", {"field": serializers.CharField(), "value": serializers.CharField()}))
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        """The number in clear, for the client's own advisor and head office/admin; audited."""
        client = self.get_object()
        body = RevealSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            value = services.reveal_personal_data(client=client, field=body.validated_data["field"],
                                                  actor=request.user, request=request)
        except DjangoPermissionDenied:
            raise PermissionDenied(_("只有客户的管户顾问可以查看完整信息。")) from None
        response = Response({"field": body.validated_data["field"], "value": value})
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(request=ReassignSerializer, responses=ClientSerializer)
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        client = self.get_object()
        body = ReassignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            services.reassign_client(client=client, advisor=body.validated_data["advisor"], actor=request.user,
                                     request=request)
        except DjangoValidationError as exc:
            raise_as_drf(exc)
        except DjangoPermissionDenied:
            raise PermissionDenied(_("只有负责人可以调整管户顾问。")) from None
        return Response(self.get_serializer(self.get_queryset().get(pk=client.pk)).data)


class AumSnapshotInSerializer(serializers.Serializer):
    client_no = serializers.CharField(max_length=32)
    as_of = serializers.DateField()
    aum = MoneyField(min_value=0)
    avg_daily_aum = MoneyField(min_value=0, required=False, allow_null=True,
                               help_text=_("核心系统报送的当月月日均（可选，通常在月末一行）"))


class AumSnapshotView(APIView):
    """``POST /api/v1/aum-snapshots/``: one item or a list, upserted by (client_no, as_of)."""

    permission_classes = [BankWidePermission]

    @extend_schema(request=AumSnapshotInSerializer(many=True), responses=inline_serializer(
        "AumBatchResult", {"created": serializers.IntegerField(), "updated": serializers.IntegerField(),
                           "rejected": serializers.ListField(child=serializers.DictField())}))
    def post(self, request):
        many = isinstance(request.data, list)
        items = request.data if many else [request.data]
        parsed, rejected = [], []
        for index, item in enumerate(items):
            body = AumSnapshotInSerializer(data=item if isinstance(item, dict) else {})
            if body.is_valid():
                parsed.append((index, body.validated_data))
            else:
                rejected.append((index, item, body.errors))
        known = dict(Client.objects.visible_to(request.user)
                     .filter(client_no__in={data["client_no"] for _i, data in parsed})
                     .values_list("client_no", "id"))
        rows, seen = [], set()
        for index, data in parsed:
            key = (data["client_no"], data["as_of"])
            if data["client_no"] not in known:
                rejected.append((index, data, {"client_no": [_("客户号不存在。")]}))
            elif key in seen:
                rejected.append((index, data, {"as_of": [_("同一客户同一日期在本批中重复：只应用第一条。")]}))
            else:
                seen.add(key)
                rows.append((known[data["client_no"]], data["as_of"], data["aum"], data.get("avg_daily_aum")))
        if not many and rejected:
            return Response(rejected[0][2], status=status.HTTP_400_BAD_REQUEST)
        counts = services.upsert_aum_snapshots(rows)
        created = counts["created"]
        updated = len(rows) - created  # existing (client, day) rows that were upserted, changed or not
        if not many:
            data = parsed[0][1]
            return Response({"client_no": data["client_no"], "as_of": data["as_of"], "aum": f"{data['aum']:.2f}",
                             "created": bool(created)},
                            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
        report = [{"index": index, "client_no": item.get("client_no") if isinstance(item, dict) else None,
                   "as_of": str(item.get("as_of")) if isinstance(item, dict) and item.get("as_of") else None,
                   "errors": errors} for index, item, errors in sorted(rejected, key=lambda r: r[0])]
        return Response({"created": created, "updated": updated, "rejected": report})


class ContactSerializer(serializers.ModelSerializer):
    # Only clients the caller can see: another advisor's client reads as "does not exist".
    client = ScopedChoiceField(lambda user: without_personal_data(Client.objects.visible_to(user)),
                               queryset=Client.objects.none())
    client_name = serializers.CharField(source="client.name", read_only=True)
    staff_name = serializers.CharField(source="staff", read_only=True)

    class Meta:
        model = Contact
        fields = ["id", "client", "client_name", "staff", "staff_name", "channel", "purpose", "occurred_at",
                  "summary", "effective", "next_action_at", "created_at"]
        read_only_fields = ["staff", "created_at"]

    def create(self, validated_data):
        try:
            return services.log_contact(staff=self.context["request"].user, **validated_data)
        except DjangoValidationError as exc:
            raise_as_drf(exc)
        except DjangoPermissionDenied:
            raise PermissionDenied(_("只有客户的管户顾问或负责人可以记录接触。")) from None


class ContactPagination(KeysetPagination):
    # Latest contact first, walking the (client, occurred_at, id) and (occurred_at, id) indexes: the primary key
    # walked backwards filtered row by row on the caller's scope, and grew with the table.
    ordering = ("-occurred_at", "-id")
    keys_first = True   # (client, occurred_at, id) covers the advisor's scope, ?client= and the order


class ContactViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    # Prefetched, not joined: the page's rows are picked from the index first, then their 50 clients and staff
    # are read by id (a join ahead of the sort would look up every contact of an advisor's book).
    queryset = Contact.objects.prefetch_related("client", "staff")
    serializer_class = ContactSerializer
    permission_classes = [ClientPermission]
    filterset_class = ContactFilterSet
    pagination_class = ContactPagination


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="Line in the file (header = 1).")
    field = serializers.CharField()
    column = serializers.CharField(required=False, help_text="The column's Chinese label (客户经理 …).")
    message = serializers.CharField()


class CallbackPlanSerializer(serializers.ModelSerializer):
    # a unit the caller may look up; out of scope reads as "does not exist"; empty: the bank's default
    org_unit = ScopedChoiceField(OrgUnit.objects.visible_to, queryset=OrgUnit.objects.none(), required=False,
                                 allow_null=True, default=None)
    org_unit_name = serializers.CharField(source="org_unit.name", read_only=True, default=None, allow_null=True)
    interval_days = serializers.IntegerField(min_value=1, max_value=3660)
    large_sale_threshold = MoneyField(min_value=Decimal("0.01"))
    large_sale_days = serializers.IntegerField(min_value=1, max_value=366)
    satisfaction_months = serializers.IntegerField(min_value=1, max_value=60)

    class Meta:
        model = CallbackPlan
        fields = ["id", "tier", "org_unit", "org_unit_name", "effective_from", "interval_days", "large_sale_threshold",
                  "large_sale_days", "satisfaction_months", "created_by", "created_at"]
        read_only_fields = ["id", "created_by", "created_at"]
        # checked by the service, with the same messages as the page
        validators = []

    def create(self, validated_data):
        try:
            return services.create_callback_plan(actor=self.context["request"].user, **validated_data)
        except DjangoValidationError as exc:
            raise_as_drf(exc)
        except DjangoPermissionDenied:
            raise PermissionDenied(_("全行默认回访计划由总行制定。")) from None


class CallbackPlanViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """回访计划: the bank's defaults and the branch and sub-branch plans in the caller's scope (another branch's
    plan is 404); head office adds defaults, a branch manager plans for the units of their subtree."""

    queryset = CallbackPlan.objects.select_related("org_unit")
    serializer_class = CallbackPlanSerializer
    permission_classes = [role_permission(read=CLIENT_DATA_ROLES, write=MANAGER_ROLES)]


class ImportJobSerializer(serializers.ModelSerializer):
    file = serializers.FileField(write_only=True)
    created_by = serializers.PrimaryKeyRelatedField(read_only=True)
    errors = ImportErrorSerializer(many=True, read_only=True)
    preview = serializers.BooleanField(
        required=False, default=False,
        help_text="Save the file without applying it: look at GET …/preview/, then POST …/confirm/.")

    class Meta:
        model = ImportJob
        fields = ["id", "kind", "file", "original_name", "status", "progress", "created", "updated", "unchanged",
                  "errors", "message", "created_by", "created_at", "finished_at", "rejected", "error_count",
                  "rows_total", "rows_done", "preview"]
        read_only_fields = ["original_name", "status", "progress", "created", "updated", "unchanged", "errors",
                            "message", "created_at", "finished_at", "rejected", "error_count", "rows_total",
                            "rows_done"]

    def validate_file(self, value):
        try:
            imports.check_upload(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None
        return value

    def create(self, validated_data):
        return imports.create_import_job(kind=validated_data["kind"], uploaded_file=validated_data["file"],
                                         actor=self.context["request"].user, preview=validated_data["preview"])


class ImportPreviewRowSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    values = serializers.ListField(child=serializers.CharField(allow_blank=True))
    errors = ImportErrorSerializer(many=True)


class ImportPreviewSerializer(serializers.Serializer):
    columns = serializers.ListField(child=serializers.ListField(child=serializers.CharField()),
                                    help_text="[field, Chinese label] of each column shown.")
    rows = ImportPreviewRowSerializer(many=True)
    error = serializers.CharField(allow_blank=True, help_text="Why the whole file cannot be read, if so.")


class ImportJobViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    queryset = ImportJob.objects.all()
    serializer_class = ImportJobSerializer
    permission_classes = [BankWidePermission]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=None, responses=ImportPreviewSerializer)
    @action(detail=True, methods=["get"])
    def preview(self, request, pk=None):
        """The first rows as the import reads them, with their errors; applies nothing."""
        return Response(ImportPreviewSerializer(imports.preview_rows(self.get_object())).data)

    @extend_schema(request=None, responses=ImportJobSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Apply a previewed upload (a second call changes nothing)."""
        return Response(ImportJobSerializer(imports.confirm_import(self.get_object())).data)


router = SimpleRouter()
router.register("clients", ClientViewSet, basename="client")
router.register("contacts", ContactViewSet, basename="contact")
router.register("imports", ImportJobViewSet, basename="import")
router.register("callback-plans", CallbackPlanViewSet, basename="callback-plan")
urlpatterns = [
    path("aum-snapshots/", AumSnapshotView.as_view(), name="aum-snapshots"),
    *router.urls,
]
