import django_filters

from wealthcrm.audit.choices import AuditAction
from wealthcrm.audit.models import AuditEvent
from wealthcrm.filters import ScopedFilterSet, staff_filter


class AuditEventFilterSet(ScopedFilterSet):
    actor = staff_filter(label="操作人")
    client = django_filters.NumberFilter(field_name="client_id", label="客户")
    action = django_filters.ChoiceFilter(choices=AuditAction.choices, label="动作")
    after = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="gte", label="起始时间")
    before = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="lt", label="截止时间")

    class Meta:
        model = AuditEvent
        fields = ["actor", "client", "action", "after", "before"]
