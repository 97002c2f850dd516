"""HTML pages of this app (namespace `performance`)."""

from django.urls import path

from performance import views

app_name = "performance"
urlpatterns = [
    path("scorecard/", views.scorecard, name="scorecard"),
    path("scorecards/<int:advisor_id>/", views.scorecard, name="advisor-scorecard"),
    path("scorecards/<int:advisor_id>/<str:period>/kpi/<str:code>/", views.kpi_rows, name="kpi-rows"),
    path("leaderboard/", views.leaderboard, name="leaderboard"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("echelons/", views.echelons, name="echelons"),
    path("recompute/", views.recompute, name="recompute"),
    path("targets/", views.targets, name="targets"),
    path("meetings/", views.meetings, name="meetings"),
    path("complaints/", views.complaints, name="complaints"),
    path("complaints/<int:pk>/decide/", views.decide_complaint, name="decide-complaint"),
]
