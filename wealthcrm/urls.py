from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from wealthcrm import api, views
from wealthcrm.middleware import swagger_ui_policy
from wealthcrm.org.api import OrgUnitViewSet, StaffViewSet
from wealthcrm.org.auth import LoginView, LogoutTokenView, ObtainTokenView

admin.site.site_header = _("私行财富 CRM 系统管理")
admin.site.site_title = _("私行财富 CRM")
admin.site.index_title = _("用户、机构、日历与定时任务")

router = DefaultRouter()
router.register("org-units", OrgUnitViewSet, basename="org-unit")
router.register("staff", StaffViewSet, basename="staff")

# Each app mounts its own endpoints under /api/v1/ from its api.py.
API_APPS = ["clients.api", "tiers.api", "referrals.api", "wealthcrm.calendar.api", "wealthcrm.audit.api",
            "wealthcrm.notifications.api", "wealthcrm.exports.api", "performance.api",
            "performance.reports.api"]

api_v1 = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("auth/logout/", LogoutTokenView.as_view(), name="api-logout"),
    path("tasks/<str:task_id>/", api.TaskStatusView.as_view(), name="task-status"),
    *[path("", include(module)) for module in API_APPS],
    path("", include(router.urls)),
]

urlpatterns = [
    path("", include("performance.home_urls")),
    path("health/", views.health, name="health"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("clients/", include("clients.urls")),
    path("tiers/", include("tiers.urls")),
    path("referrals/", include("referrals.urls")),
    path("calendar/", include("wealthcrm.calendar.urls")),
    path("notifications/", include("wealthcrm.notifications.urls")),
    path("audit/", include("wealthcrm.audit.urls")),
    path("exports/", include("wealthcrm.exports.urls")),
    path("org/", include("wealthcrm.org.urls")),
    path("performance/", include("performance.urls")),
    path("reports/", include("performance.reports.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: the CSP allows no inline script.
    path("api/docs/", swagger_ui_policy(SpectacularSwaggerSplitView.as_view(url_name="schema")), name="api-docs"),
    path("admin/", admin.site.urls),
]

handler403 = "wealthcrm.views.permission_denied"
handler404 = "wealthcrm.views.not_found"
handler500 = "wealthcrm.views.server_error"
