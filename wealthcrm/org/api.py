from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from wealthcrm.api import LabelField, raise_as_drf, role_permission
from wealthcrm.org import services
from wealthcrm.org.choices import BANK_WIDE_ROLES, Role
from wealthcrm.org.filters import OrgUnitFilterSet, StaffFilterSet
from wealthcrm.org.models import OrgUnit, Staff
from wealthcrm.scoped import ScopedReadOnlyViewSet

DirectoryPermission = role_permission(read=None, write=tuple(BANK_WIDE_ROLES))


class OrgUnitSerializer(serializers.ModelSerializer):
    parent = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all(), allow_null=True, required=False)

    class Meta:
        model = OrgUnit
        fields = ["id", "code", "name", "kind", "parent", "path"]
        read_only_fields = ["path"]

    def create(self, validated_data):
        try:
            return services.create_org_unit(**validated_data)
        except DjangoValidationError as exc:
            raise_as_drf(exc)

    def update(self, instance, validated_data):
        try:
            return services.update_org_unit(unit=instance, **validated_data)
        except DjangoValidationError as exc:
            raise_as_drf(exc)


class StaffSerializer(serializers.ModelSerializer):
    password = serializers.CharField(write_only=True, required=False, style={"input_type": "password"})
    org_unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all(), allow_null=True, required=False)
    org_unit_name = serializers.CharField(source="org_unit.name", read_only=True, default=None, allow_null=True)
    role_label = LabelField(Role.choices, source="role")

    class Meta:
        model = Staff
        fields = ["id", "username", "password", "display_name", "role", "role_label", "org_unit",
                  "org_unit_name", "email", "is_active"]
        extra_kwargs = {"role": {"required": True}}

    def validate(self, attrs):
        if self.instance is None and not attrs.get("password"):
            raise serializers.ValidationError({"password": ["请设置初始密码。"]})
        return attrs

    def create(self, validated_data):
        try:
            return services.create_staff(actor=self.context["request"].user, **validated_data)
        except DjangoValidationError as exc:
            raise_as_drf(exc if hasattr(exc, "error_dict") else DjangoValidationError({"password": exc.messages}))

    def update(self, instance, validated_data):
        try:
            return services.update_staff(actor=self.context["request"].user, staff=instance, **validated_data)
        except DjangoValidationError as exc:
            raise_as_drf(exc if hasattr(exc, "error_dict") else DjangoValidationError({"password": exc.messages}))


class OrgUnitViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedReadOnlyViewSet):
    queryset = OrgUnit.objects.all()
    serializer_class = OrgUnitSerializer
    permission_classes = [DirectoryPermission]
    filterset_class = OrgUnitFilterSet


class StaffViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedReadOnlyViewSet):
    queryset = Staff.objects.select_related("org_unit")
    serializer_class = StaffSerializer
    permission_classes = [DirectoryPermission]
    filterset_class = StaffFilterSet

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    def unlock(self, request, pk=None):
        """An admin lifts the sign-in lock of this user (API.md "Security"); audited."""
        services.unlock_sign_in(actor=request.user, staff=self.get_object(), request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)
