from django.contrib import admin

from performance.models import (
    AnalysisMeeting,
    Complaint,
    EchelonResult,
    EchelonTarget,
    KpiTarget,
    Scorecard,
    ScoreRule,
)


@admin.register(KpiTarget)
class KpiTargetAdmin(admin.ModelAdmin):
    list_display = ["effective_from", "role", "kpi", "target", "weight", "cap", "created_by"]
    list_filter = ["role", "kpi"]


@admin.register(ScoreRule)
class ScoreRuleAdmin(admin.ModelAdmin):
    list_display = ["effective_from", "complaint_deduction", "created_by"]


@admin.register(EchelonTarget)
class EchelonTargetAdmin(admin.ModelAdmin):
    list_display = ["effective_from", "kind", "org_unit", "client_growth_target", "aum_growth_target"]
    list_filter = ["kind"]
    raw_id_fields = ["org_unit"]


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    list_display = ["received_on", "client", "advisor", "valid", "decided_by"]
    list_filter = ["valid"]
    raw_id_fields = ["client", "advisor", "decided_by", "created_by"]


@admin.register(AnalysisMeeting)
class AnalysisMeetingAdmin(admin.ModelAdmin):
    list_display = ["held_on", "org_unit"]
    raw_id_fields = ["org_unit", "attendees", "clients", "created_by"]


class ComputedAdmin(admin.ModelAdmin):
    """Written by the nightly recompute only: read-only here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Scorecard)
class ScorecardAdmin(ComputedAdmin):
    list_display = ["period", "advisor", "score", "rank_in_branch", "rank_in_bank", "org_unit"]
    list_filter = ["period", "role"]


@admin.register(EchelonResult)
class EchelonResultAdmin(ComputedAdmin):
    list_display = ["period", "kind", "org_unit", "attainment", "rank", "echelon", "card"]
    list_filter = ["period", "kind", "card"]
