"""HTML pages of this app (namespace `tiers`)."""

app_name = "tiers"
urlpatterns = []
