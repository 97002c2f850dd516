"""HTML endpoints of the org app (namespace `org`; mounted at /org/)."""

from django.urls import path

from wealthcrm.org import views

app_name = "org"
urlpatterns = [
    path("advisors/", views.advisor_picker, name="advisor-picker"),
    path("staff/", views.staff_picker, name="staff-picker"),
]
