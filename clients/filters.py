"""Which clients and contacts: one FilterSet per list, shared by the REST API and the HTML pages."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clients.choices import ContactChannel, ContactPurpose, RiskLevel
from clients.models import Client, Contact
from tiers.choices import Tier
from wealthcrm.filters import BoundedIsoDateTimeFilter, StrictBooleanFilter
from wealthcrm.org.filters import OrgSubtreeFilter


class ClientFilterSet(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("姓名或客户号"))
    tier = django_filters.ChoiceFilter(choices=Tier.choices, label=_("客户层级"))
    org_unit = OrgSubtreeFilter(label=_("所属机构"))
    advisor = django_filters.NumberFilter(field_name="advisor_id", label=_("管户顾问"))
    risk_level = django_filters.ChoiceFilter(choices=RiskLevel.choices, label=_("风险等级"))
    aum_min = django_filters.NumberFilter(field_name="aum", lookup_expr="gte", label=_("资产下限（元）"))
    aum_max = django_filters.NumberFilter(field_name="aum", lookup_expr="lte", label=_("资产上限（元）"))
    near_threshold = StrictBooleanFilter(label=_("临界提级"))

    class Meta:
        model = Client
        fields = ["search", "tier", "org_unit", "advisor", "risk_level", "aum_min", "aum_max", "near_threshold"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # Prefix match on name (indexed) or the exact client number: both stay fast at a million rows.
        return queryset.filter(Q(name__startswith=value) | Q(client_no=value))


class ContactFilterSet(django_filters.FilterSet):
    client = django_filters.NumberFilter(field_name="client_id")
    staff = django_filters.NumberFilter(field_name="staff_id")
    channel = django_filters.ChoiceFilter(choices=ContactChannel.choices)
    purpose = django_filters.ChoiceFilter(choices=ContactPurpose.choices)
    effective = StrictBooleanFilter()
    occurred_after = BoundedIsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = BoundedIsoDateTimeFilter(field_name="occurred_at", lookup_expr="lt")

    class Meta:
        model = Contact
        fields = ["client", "staff", "channel", "purpose", "effective", "occurred_after", "occurred_before"]
