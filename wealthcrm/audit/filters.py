import django_filters

from wealthcrm.audit.choices import AuditAction
from wealthcrm.audit.models import AuditEvent
from wealthcrm.filters import BoundedIsoDateTimeFilter, ScopedFilterSet
from wealthcrm.forms import DATETIME_INPUT


class AuditEventFilterSet(ScopedFilterSet):
    # By id, not a choice of staff: the trail outlives the staff it names (no FK constraint), and only the
    # bank-wide roles, whose directory is the whole bank, read it.
    actor = django_filters.NumberFilter(field_name="actor_id", label="操作人")
    client = django_filters.NumberFilter(field_name="client_id", label="客户")
    action = django_filters.ChoiceFilter(choices=AuditAction.choices, label="动作")
    after = BoundedIsoDateTimeFilter(field_name="at", lookup_expr="gte", label="起始时间", widget=DATETIME_INPUT)
    before = BoundedIsoDateTimeFilter(field_name="at", lookup_expr="lt", label="截止时间", widget=DATETIME_INPUT)

    class Meta:
        model = AuditEvent
        fields = ["actor", "client", "action", "after", "before"]
