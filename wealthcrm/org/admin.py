from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from wealthcrm.org import services
from wealthcrm.org.models import OrgUnit, Staff


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]


@admin.register(Staff)
class StaffAdmin(UserAdmin):
    """The same rules as the staff API (API.md "Security"): only admins touch admins, superusers and head
    office, nobody grants a role above their own, and only superusers grant superuser rights."""

    list_display = ["username", "display_name", "role", "org_unit", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "display_name"]
    raw_id_fields = ["org_unit"]
    fieldsets = UserAdmin.fieldsets + ((_("岗位"), {"fields": ("display_name", "role", "org_unit")}),)
    add_fieldsets = UserAdmin.add_fieldsets + ((_("岗位"), {"fields": ("display_name", "role", "org_unit")}),)
    actions = ["unlock_sign_in"]

    def _may_change(self, request, obj) -> bool:
        try:
            services.check_staff_change(request.user, obj, role=obj.role if obj else None)
        except PermissionDenied:
            return False
        return True

    def has_change_permission(self, request, obj=None):
        # Also guards the admin's password-change page, which asks this for the user concerned.
        return super().has_change_permission(request, obj) and self._may_change(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_change(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return [*super().get_readonly_fields(request, obj), "is_superuser", "groups", "user_permissions"]

    def save_model(self, request, obj, form, change):
        original = Staff.objects.get(pk=obj.pk) if change else None
        services.check_staff_change(request.user, original, role=obj.role,
                                    grants_superuser=obj.is_superuser and not (original and original.is_superuser))
        super().save_model(request, obj, form, change)

    @admin.action(description=_("解除登录锁定"))
    def unlock_sign_in(self, request, queryset):
        for staff in queryset:
            services.unlock_sign_in(actor=request.user, staff=staff, request=request)
        self.message_user(request, _("已解除所选用户的登录锁定。"), messages.SUCCESS)
