"""HTML pages of this app (namespace `calendar`)."""

app_name = "calendar"
urlpatterns = []
