from django.contrib import admin

from wealthcrm.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is append-only (see the model)."""

    list_display = ["at", "actor", "action", "object_type", "object_id", "client_id", "ip"]
    list_filter = ["action"]
    list_select_related = ["actor"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
