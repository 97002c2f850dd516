"""HTML pages of exports (namespace ``exports``; mounted at /exports/)."""

from django.urls import path

from wealthcrm.exports import views

app_name = "exports"
urlpatterns = [
    path("", views.export_list, name="list"),
    path("rows/", views.export_rows, name="rows"),
    path("new/<slug:kind>/", views.export_request, name="request"),
    path("<int:pk>/", views.export_detail, name="detail"),
]
