"""HTML pages of this app (namespace `notifications`)."""

app_name = "notifications"
urlpatterns = []
