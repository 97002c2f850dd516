"""HTML pages of this app (namespace `referrals`)."""

from django.urls import path
from django.views.generic import RedirectView

from referrals import views

app_name = "referrals"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="referrals:mine"), name="index"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.submit, name="submit"),
    path("inbox/", views.inbox, name="inbox"),
    path("board/", views.board, name="board"),
    path("funnel/", views.funnel, name="funnel"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/<slug:action>/", views.act, name="act"),
]
