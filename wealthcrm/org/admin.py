from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from wealthcrm.org.models import OrgUnit, Staff


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]


@admin.register(Staff)
class StaffAdmin(UserAdmin):
    list_display = ["username", "display_name", "role", "org_unit", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "display_name"]
    raw_id_fields = ["org_unit"]
    fieldsets = UserAdmin.fieldsets + ((_("岗位"), {"fields": ("display_name", "role", "org_unit")}),)
    add_fieldsets = UserAdmin.add_fieldsets + ((_("岗位"), {"fields": ("display_name", "role", "org_unit")}),)
