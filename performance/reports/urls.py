"""HTML pages of the monthly report (namespace ``reports``)."""

from django.urls import path

from performance.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("rows/", views.report_rows, name="rows"),
]
