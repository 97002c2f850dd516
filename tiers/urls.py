"""HTML pages of this app (namespace `tiers`)."""

from django.urls import path

from tiers import views

app_name = "tiers"
urlpatterns = [
    path("policy/", views.policy, name="policy"),
    path("recompute/", views.recompute, name="recompute"),
    path("distribution/", views.distribution, name="distribution"),
    path("near-threshold/", views.near_threshold, name="near-threshold"),
    path("changes/", views.changes, name="changes"),
    path("reassign/", views.reassign, name="reassign"),
    path("reassign/<int:pk>/", views.reassign_client, name="reassign-client"),
]
