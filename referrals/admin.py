from django.contrib import admin

from referrals.models import Referral, ReferralAssignment, ReferralEvent


class ReferralEventInline(admin.TabularInline):
    model = ReferralEvent
    extra = 0
    readonly_fields = ["kind", "actor", "from_status", "to_status", "note", "created_at"]
    can_delete = False


class ReferralAssignmentInline(admin.TabularInline):
    model = ReferralAssignment
    extra = 0
    readonly_fields = ["advisor", "assigned_at", "due_at", "followed_up_at", "breached_at", "ended_at"]
    can_delete = False


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    """Read-mostly: status changes go through ``services.transition`` (pages and API), never the admin."""

    list_display = ["id", "status", "referrer", "advisor", "org_unit", "recommended_at", "sla_due_at", "sla_breached"]
    list_filter = ["status", "sla_breached", "channel", "business_line", "direction", "routed_to_manager"]
    search_fields = ["client_no", "prospect_name"]
    raw_id_fields = ["referrer", "advisor", "client", "org_unit"]
    readonly_fields = ["status", "recommended_at", "sla_due_at", "sla_breached", "contacted_at", "signed_at",
                       "closed_at", "declined_at", "reminder_sent_at", "breach_notified_at", "prospect_phone_hash", "client_source"]
    exclude = ["prospect_phone"]
    inlines = [ReferralAssignmentInline, ReferralEventInline]
