from django.contrib import admin

from clients.models import CallbackPlan, Client, Company, Household, ImportJob


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    """Personal data (ID and phone numbers) is deliberately not in the admin: it is revealed, audited, on the
    client page only."""

    list_display = ["client_no", "name", "tier", "aum", "org_unit", "advisor"]
    list_filter = ["tier", "near_threshold", "risk_level"]
    search_fields = ["client_no"]
    raw_id_fields = ["org_unit", "advisor", "household", "company"]
    exclude = ["id_number", "phone"]
    readonly_fields = ["aum", "aum_as_of", "tier", "near_threshold", "value_segment", "tier_below_since"]


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "org_unit", "corporate_manager"]
    search_fields = ["name", "credit_code"]
    raw_id_fields = ["org_unit", "corporate_manager"]


@admin.register(CallbackPlan)
class CallbackPlanAdmin(admin.ModelAdmin):
    list_display = ["tier", "interval_days"]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "original_name", "status", "progress", "created", "updated", "created_by", "created_at"]
    list_filter = ["kind", "status"]

    def has_add_permission(self, request):
        return False  # imports go through the upload page or import_file, which validate every row

    def has_change_permission(self, request, obj=None):
        return False
