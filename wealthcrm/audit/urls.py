"""HTML pages of the audit trail (namespace `audit`; mounted at /audit/)."""

from django.urls import path

from wealthcrm.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.event_list, name="list"),
]
