"""FilterSets of the performance app, shared by the API and the pages (unknown choice values → 400; staff, clients
and org units offered only within the user's scope: ScopedFilterSet)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from clients.models import Client
from performance.choices import KpiCode
from performance.models import SCORED_ROLES, AnalysisMeeting, Complaint, EchelonResult, KpiTarget, Scorecard
from wealthcrm.filters import ScopedFilterSet, staff_filter
from wealthcrm.org.choices import OrgKind, Role
from wealthcrm.org.filters import OrgSubtreeFilter


class ScorecardFilter(ScopedFilterSet):
    org_unit = OrgSubtreeFilter()
    advisor = staff_filter(roles=SCORED_ROLES, label=_("顾问"))
    # full choice sets (one enum per name in the schema); a role or kind that is never ranked just finds nothing
    role = django_filters.ChoiceFilter(choices=Role.choices, label=_("角色"))

    class Meta:
        model = Scorecard
        fields = ["org_unit", "advisor", "role"]


class EchelonFilter(ScopedFilterSet):
    kind = django_filters.ChoiceFilter(choices=OrgKind.choices, label=_("机构层级"))

    class Meta:
        model = EchelonResult
        fields = ["kind"]


class ComplaintFilter(ScopedFilterSet):
    advisor = staff_filter(roles=SCORED_ROLES, label=_("顾问"))
    client = django_filters.ModelChoiceFilter(queryset=Client.objects.all(), label=_("客户"))
    valid = django_filters.BooleanFilter(label=_("有效投诉"))
    undecided = django_filters.BooleanFilter(field_name="valid", lookup_expr="isnull", label=_("待认定"))
    received_after = django_filters.DateFilter(field_name="received_on", lookup_expr="gte", label=_("受理日期起"))
    received_before = django_filters.DateFilter(field_name="received_on", lookup_expr="lte", label=_("受理日期止"))

    class Meta:
        model = Complaint
        fields = ["advisor", "client", "valid", "undecided", "received_after", "received_before"]


class AnalysisMeetingFilter(ScopedFilterSet):
    org_unit = OrgSubtreeFilter()
    held_after = django_filters.DateFilter(field_name="held_on", lookup_expr="gte", label=_("会议日期起"))
    held_before = django_filters.DateFilter(field_name="held_on", lookup_expr="lte", label=_("会议日期止"))

    class Meta:
        model = AnalysisMeeting
        fields = ["org_unit", "held_after", "held_before"]


class KpiTargetFilter(ScopedFilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices, label=_("角色"))
    kpi = django_filters.ChoiceFilter(choices=KpiCode.choices, label=_("指标"))

    class Meta:
        model = KpiTarget
        fields = ["role", "kpi"]
