"""REST endpoints of this app, mounted under /api/v1/: the caller's own notifications only."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from wealthcrm.api import LabelField
from wealthcrm.notifications import services
from wealthcrm.notifications.choices import NotificationKind
from wealthcrm.notifications.models import Notification
from wealthcrm.scoped import ScopedReadOnlyViewSet


class NotificationSerializer(serializers.ModelSerializer):
    kind_label = LabelField(NotificationKind.choices, source="kind")

    class Meta:
        model = Notification
        fields = ["id", "kind", "kind_label", "title", "body", "url", "created_at", "read_at"]
        read_only_fields = fields


class NotificationViewSet(ScopedReadOnlyViewSet):
    queryset = Notification.objects.all()
    serializer_class = NotificationSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        qs = super().get_queryset()
        unread = self.request.query_params.get("unread")
        if unread in ("1", "true", "True"):
            qs = qs.unread()
        return qs

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()  # 404 for anyone else's
        services.mark_read(user=request.user, notification_id=notification.pk)
        notification.refresh_from_db()
        return Response(NotificationSerializer(notification).data)

    @extend_schema(request=None, responses=inline_serializer("MarkedRead", {"marked": serializers.IntegerField()}))
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": services.mark_read(user=request.user)})


router = SimpleRouter()
router.register("notifications", NotificationViewSet, basename="notification")
urlpatterns = router.urls
