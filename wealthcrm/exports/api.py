"""REST endpoints of exports, mounted under /api/v1/: the caller's own export jobs and their downloads."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, Http404, QueryDict
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from wealthcrm.exports import services, tasks
from wealthcrm.exports.choices import FileStatus
from wealthcrm.exports.models import ExportJob
from wealthcrm.exports.registry import KINDS
from wealthcrm.pagination import KeysetPagination
from wealthcrm.scoped import ScopedReadOnlyViewSet


class ExportRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=sorted(KINDS), help_text="clients | referral_board | referral_funnel | "
                                   "near_threshold | tier_changes | tier_distribution | audit_log")
    filters = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField(max_length=200, allow_blank=True, trim_whitespace=False),
                                    max_length=20),
        required=False, default=dict,
        help_text='The list page\'s query parameters, each a list of values: {"tier": ["branch"]}.')


class ExportJobSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = ["id", "kind", "kind_label", "filters", "status", "progress", "download_url", "requested_at",
                  "finished_at", "row_count", "file_size", "error", "expires_at"]
        read_only_fields = fields

    def get_download_url(self, job) -> str | None:
        if job.status != FileStatus.DONE:
            return None
        url = reverse("export-download", args=[job.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class ExportJobViewSet(ScopedReadOnlyViewSet):
    """The caller's exports, latest first (requested from the list pages' "导出" button); nobody sees another's."""

    queryset = ExportJob.objects.all()
    serializer_class = ExportJobSerializer
    pagination_class = KeysetPagination

    @extend_schema(request=ExportRequestSerializer, responses={201: ExportJobSerializer})
    def create(self, request):
        """Export a list with its filters, as its page's "导出" button does; follow it at ``/api/v1/exports/{id}/``.
        A list the caller's role may not see → 403; filters the list refuses → 400."""
        body = ExportRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        params = QueryDict(mutable=True)
        for key, values in body.validated_data["filters"].items():
            params.setlist(key, values)
        try:
            job = services.request_export(actor=request.user, code=body.validated_data["kind"], params=params,
                                          request=request)
        except DjangoValidationError as exc:
            raise ValidationError({"filters": exc.messages}) from exc
        tasks.enqueue_export(job)
        return Response(self.get_serializer(job).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The export's CSV, for its requester only (anyone else: 404), while they still hold the list's role;
        every download is audited."""
        job = self.get_object()
        kind = KINDS.get(job.kind)
        if job.status != FileStatus.DONE or kind is None or not kind.allows(request.user):
            raise Http404
        try:
            handle = job.file.open("rb")
        except (FileNotFoundError, ValueError):
            raise Http404 from None
        services.record_download(job=job, actor=request.user, request=request)
        response = FileResponse(handle, as_attachment=True, filename=job.download_name,
                                content_type="text/csv; charset=utf-8")
        response["Cache-Control"] = "private, no-store"
        return response


router = SimpleRouter()
router.register("exports", ExportJobViewSet, basename="export")
urlpatterns = router.urls
