"""HTML pages of this app (namespace `clients`)."""

from django.urls import path

from clients import views

app_name = "clients"
urlpatterns = [
    path("", views.client_list, name="list"),
    path("new/", views.client_create, name="create"),
    path("callback-plans/", views.callback_plans, name="callback-plans"),
    path("imports/", views.import_list, name="imports"),
    path("imports/rows/", views.import_rows, name="import-rows"),
    path("imports/<int:pk>/", views.import_detail, name="import-detail"),
    path("imports/template/<str:kind>.xlsx", views.import_template, name="import-template"),
    path("<int:pk>/", views.client_detail, name="detail"),
    path("<int:pk>/edit/", views.client_edit, name="edit"),
    path("<int:pk>/contacts/", views.contact_create, name="contact-create"),
    path("<int:pk>/reveal/", views.reveal, name="reveal"),
]
