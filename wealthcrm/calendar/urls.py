"""HTML pages of this app (namespace `calendar`)."""

from django.urls import path

from wealthcrm.calendar import views

app_name = "calendar"
urlpatterns = [
    path("", views.manage, name="manage"),
    path("manual/", views.manual_entry, name="manual"),
    path("upload/", views.upload, name="upload"),
    path("reseed/", views.reseed, name="reseed"),
]
