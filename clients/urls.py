"""HTML pages of this app (namespace `clients`)."""

app_name = "clients"
urlpatterns = []
