"""REST endpoints of the monthly report, mounted under /api/v1/ (API.md "Reports")."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from performance.reports import services, summary, tasks
from performance.reports.choices import ReportFormat, ReportStatus
from performance.reports.models import MonthlyReport
from wealthcrm.api import role_permission
from wealthcrm.org.choices import BANK_WIDE_ROLES
from wealthcrm.pagination import KeysetPagination
from wealthcrm.scoped import ScopedReadOnlyViewSet

# Head office's report: bank-wide client data, so every endpoint (downloads included) is for head office only.
HeadOfficeOnly = role_permission(read=BANK_WIDE_ROLES, write=BANK_WIDE_ROLES)


class MonthlyReportRequestSerializer(serializers.Serializer):
    month = serializers.CharField(max_length=7, help_text="YYYY-MM")
    format = serializers.ChoiceField(choices=ReportFormat.choices)

    def validate_month(self, value):
        try:
            return summary.parse_month(value)
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict["month"]) from exc


class MonthlyReportSerializer(serializers.ModelSerializer):
    month = serializers.DateField(format="%Y-%m")
    download_url = serializers.SerializerMethodField()
    requested_by_name = serializers.CharField(source="requested_by", read_only=True, default=None)

    class Meta:
        model = MonthlyReport
        fields = ["id", "month", "format", "status", "progress", "download_url", "requested_by",
                  "requested_by_name", "requested_at", "finished_at", "row_count", "file_size", "error",
                  "expires_at"]
        read_only_fields = fields

    def get_download_url(self, report) -> str | None:
        if report.status != ReportStatus.DONE:
            return None
        url = reverse("report-download", args=[report.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class MonthlyReportViewSet(ScopedReadOnlyViewSet):
    """Past and running reports, latest first; one report's status and progress (``download_url`` once done)."""

    queryset = MonthlyReport.objects.select_related("requested_by")
    serializer_class = MonthlyReportSerializer
    permission_classes = [HeadOfficeOnly]
    pagination_class = KeysetPagination

    @extend_schema(request=MonthlyReportRequestSerializer, responses={201: MonthlyReportSerializer})
    @action(detail=False, methods=["post"])
    def monthly(self, request):
        """Request the monthly report of a month; follow it at ``/api/v1/reports/{id}/``."""
        body = MonthlyReportRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        report = services.request_monthly_report(actor=request.user, **body.validated_data)
        tasks.enqueue_build(report)
        return Response(self.get_serializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The report's file. The role is checked again on every download, and every download is audited."""
        report = self.get_object()
        if report.status != ReportStatus.DONE:
            raise Http404
        try:
            handle = report.file.open("rb")
        except (FileNotFoundError, ValueError):
            raise Http404 from None
        services.record_download(report=report, actor=request.user, request=request)
        response = FileResponse(handle, as_attachment=True, filename=report.download_name)
        response["Cache-Control"] = "private, no-store"
        return response


router = SimpleRouter()
router.register("reports", MonthlyReportViewSet, basename="report")
urlpatterns = router.urls
