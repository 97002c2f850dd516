"""REST endpoints of this app, mounted under /api/v1/."""

from rest_framework import serializers
from rest_framework.routers import SimpleRouter

from wealthcrm.api import role_permission
from wealthcrm.audit.filters import AuditEventFilterSet
from wealthcrm.audit.models import AuditEvent
from wealthcrm.org.choices import BANK_WIDE_ROLES
from wealthcrm.scoped import ScopedReadOnlyViewSet


class AuditEventSerializer(serializers.ModelSerializer):
    actor_name = serializers.CharField(source="actor", read_only=True, default=None)

    class Meta:
        model = AuditEvent
        fields = ["id", "at", "actor", "actor_name", "action", "object_type", "object_id", "client", "detail", "ip"]
        read_only_fields = fields


class AuditEventViewSet(ScopedReadOnlyViewSet):
    # Rows: AuditEvent.objects.visible_to (bank-wide roles only); the permission answers others with a 403.
    queryset = AuditEvent.objects.select_related("actor")
    serializer_class = AuditEventSerializer
    permission_classes = [role_permission(read=tuple(BANK_WIDE_ROLES), write=())]
    filterset_class = AuditEventFilterSet


router = SimpleRouter()
router.register("audit-events", AuditEventViewSet, basename="audit-event")
urlpatterns = router.urls
