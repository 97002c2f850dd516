from django.contrib import admin

from wealthcrm.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["id", "recipient", "kind", "title", "created_at", "read_at"]
    list_filter = ["kind"]
    raw_id_fields = ["recipient"]
