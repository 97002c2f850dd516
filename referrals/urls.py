"""HTML pages of this app (namespace `referrals`)."""

app_name = "referrals"
urlpatterns = []
