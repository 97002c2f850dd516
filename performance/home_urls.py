"""The pages at the site root: the role home page ("my day" / overview) and the header search."""

from django.urls import path

from performance import views

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
]
