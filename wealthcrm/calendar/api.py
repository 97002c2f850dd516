"""REST endpoints of this app, mounted under /api/v1/."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from wealthcrm.api import role_permission
from wealthcrm.calendar import services
from wealthcrm.calendar.choices import DaySource


class BusinessDaysQuerySerializer(serializers.Serializer):
    start = serializers.DateField(input_formats=["%Y-%m-%d"])
    end = serializers.DateField(input_formats=["%Y-%m-%d"])

    def validate(self, attrs):
        if attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": [_("结束日期不能早于开始日期。")]})
        if (attrs["end"] - attrs["start"]).days + 1 > services.MAX_RANGE_DAYS:
            raise serializers.ValidationError(
                {"end": [_("日期范围最多 %(max)s 天。") % {"max": services.MAX_RANGE_DAYS}]}
            )
        return attrs


class BusinessDaysView(APIView):
    """Business days of an inclusive date range, with each year's data source (API.md "Calendar")."""

    permission_classes = [role_permission(read=None)]

    @extend_schema(
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, required=True, description="YYYY-MM-DD，含当天"),
            OpenApiParameter("end", OpenApiTypes.DATE, required=True, description="YYYY-MM-DD，含当天；最多 366 天"),
        ],
        responses=inline_serializer(
            "BusinessDays",
            {
                "start": serializers.DateField(),
                "end": serializers.DateField(),
                "business_days": serializers.ListField(child=serializers.DateField()),
                "sources": serializers.DictField(child=serializers.ChoiceField(DaySource.choices)),
            },
        ),
    )
    def get(self, request):
        query = BusinessDaysQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        start, end = query.validated_data["start"], query.validated_data["end"]
        return Response({
            "start": start.isoformat(),
            "end": end.isoformat(),
            "business_days": [day.isoformat() for day in services.business_days_between(start, end)],
            "sources": services.sources_between(start, end),
        })


router = SimpleRouter()
urlpatterns = [
    path("calendar/business-days/", BusinessDaysView.as_view(), name="calendar-business-days"),
    *router.urls,
]
