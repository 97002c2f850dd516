"""Which clients and contacts: one FilterSet per list, shared by the REST API and the HTML pages."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.choices import CallbackState, ContactChannel, ContactPurpose, FollowUpState, RiskLevel
from clients.models import Client, Contact
from wealthcrm.filters import (
    BoundedIsoDateTimeFilter,
    ScopedFilterSet,
    StrictBooleanFilter,
    WanFilter,
    staff_filter,
)
from wealthcrm.forms import DATE_INPUT
from wealthcrm.org.choices import CLIENT_DATA_ROLES, RELATIONSHIP_ROLES
from wealthcrm.org.filters import OrgSubtreeFilter
from wealthcrm.tiering import Tier


class ClientFilterSet(ScopedFilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("姓名、客户号或手机号"), max_length=50)
    tier = django_filters.ChoiceFilter(choices=Tier.choices, label=_("客户层级"))
    org_unit = OrgSubtreeFilter(label=_("所属机构"))
    advisor = staff_filter(roles=RELATIONSHIP_ROLES, label=_("管户顾问"))
    risk_level = django_filters.ChoiceFilter(choices=RiskLevel.choices, label=_("风险等级"))
    aum_min = django_filters.NumberFilter(field_name="aum", lookup_expr="gte", label=_("资产下限（元）"))
    aum_max = django_filters.NumberFilter(field_name="aum", lookup_expr="lte", label=_("资产上限（元）"))
    near_threshold = StrictBooleanFilter(label=_("临界提级"))
    # The lists behind the dashboard's callback, follow-up and reassign figures.
    callback = django_filters.ChoiceFilter(choices=CallbackState.choices, method="filter_callback",
                                           label=_("回访计划"))
    follow_up = django_filters.ChoiceFilter(choices=FollowUpState.choices, method="filter_follow_up",
                                            label=_("预约跟进"))
    reassigned = django_filters.DateFromToRangeFilter(
        method="filter_reassigned", label=_("改派日期"),
        widget=django_filters.widgets.DateRangeWidget(attrs=dict(DATE_INPUT.attrs)))

    class Meta:
        model = Client
        fields = ["search", "tier", "org_unit", "advisor", "risk_level", "aum_min", "aum_max", "near_threshold",
                  "callback", "follow_up", "reassigned"]

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def filter_callback(self, queryset, name, value):
        return queryset.in_callback_state(value, now=timezone.now())

    def filter_follow_up(self, queryset, name, value):
        return queryset.in_follow_up_state(value, now=timezone.now())

    def filter_reassigned(self, queryset, name, value):
        """Local dates, both ends included (the range field gives the first and last instant); a missing end is
        open."""
        return queryset.reassigned_between(start=value.start, end=value.stop)


class ClientPageFilterSet(ClientFilterSet):
    """The client list page (and its export): amounts typed in 万, as the list shows them. The API keeps 元
    (API.md)."""

    aum_min = WanFilter(field_name="aum", lookup_expr="gte", label=_("资产下限（万元）"))
    aum_max = WanFilter(field_name="aum", lookup_expr="lte", label=_("资产上限（万元）"))


class ContactFilterSet(ScopedFilterSet):
    client = django_filters.NumberFilter(field_name="client_id")
    staff = staff_filter(roles=CLIENT_DATA_ROLES)
    channel = django_filters.ChoiceFilter(choices=ContactChannel.choices)
    purpose = django_filters.ChoiceFilter(choices=ContactPurpose.choices)
    effective = StrictBooleanFilter()
    occurred_after = BoundedIsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = BoundedIsoDateTimeFilter(field_name="occurred_at", lookup_expr="lt")

    class Meta:
        model = Contact
        fields = ["client", "staff", "channel", "purpose", "effective", "occurred_after", "occurred_before"]
