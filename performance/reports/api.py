"""REST endpoints of the monthly report, mounted under /api/v1/ (API.md "Reports")."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from performance.reports import services
from performance.reports.choices import ReportFormat, ReportStatus
from performance.reports.models import MonthlyReport
from wealthcrm.api import role_permission
from wealthcrm.org.choices import BANK_WIDE_ROLES
from wealthcrm.pagination import KeysetPagination

# Head office's report: bank-wide client data, so every endpoint (downloads included) is for head office only.
HeadOfficeOnly = role_permission(read=BANK_WIDE_ROLES, write=BANK_WIDE_ROLES)


class MonthlyReportRequestSerializer(serializers.Serializer):
    month = serializers.CharField(max_length=7, help_text="YYYY-MM")
    format = serializers.ChoiceField(choices=ReportFormat.choices)

    def validate_month(self, value):
        try:
            return services.parse_month(value)
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


class MonthlyReportRequestView(APIView):
    """Request the monthly report of a month; follow it at ``/api/v1/reports/{id}/``."""

    permission_classes = [HeadOfficeOnly]

    @extend_schema(request=MonthlyReportRequestSerializer, responses={201: MonthlyReportSerializer})
    def post(self, request):
        body = MonthlyReportRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        report = services.request_monthly_report(actor=request.user, **body.validated_data)
        return Response(MonthlyReportSerializer(report, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


class MonthlyReportList(generics.ListAPIView):
    """Past and running reports, latest first."""

    serializer_class = MonthlyReportSerializer
    permission_classes = [HeadOfficeOnly]
    pagination_class = KeysetPagination

    def get_queryset(self):
        return MonthlyReport.objects.visible_to(self.request.user).select_related("requested_by")


class MonthlyReportDetail(generics.RetrieveAPIView):
    """Status and progress of one report; ``download_url`` once it is done."""

    serializer_class = MonthlyReportSerializer
    permission_classes = [HeadOfficeOnly]

    def get_queryset(self):
        return MonthlyReport.objects.visible_to(self.request.user).select_related("requested_by")


class MonthlyReportDownload(APIView):
    """The report's file. The role is checked again on every download, and every download is audited."""

    permission_classes = [HeadOfficeOnly]

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        report = get_object_or_404(MonthlyReport.objects.visible_to(request.user), pk=pk, status=ReportStatus.DONE)
        try:
            handle = report.file.open("rb")
        except (FileNotFoundError, ValueError):
            raise Http404 from None
        services.record_download(report=report, actor=request.user, request=request)
        response = FileResponse(handle, as_attachment=True, filename=report.download_name)
        response["Cache-Control"] = "private, no-store"
        return response


urlpatterns = [
    path("reports/", MonthlyReportList.as_view(), name="report-list"),
    path("reports/monthly/", MonthlyReportRequestView.as_view(), name="report-request"),
    path("reports/<int:pk>/", MonthlyReportDetail.as_view(), name="report-detail"),
    path("reports/<int:pk>/download/", MonthlyReportDownload.as_view(), name="report-download"),
]
