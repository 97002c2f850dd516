"""FilterSets shared by the REST API and the HTML pages (one definition of "which rows")."""

import django_filters
from django.utils.translation import gettext_lazy as _

from tiers.choices import Direction
from tiers.models import TierChange
from wealthcrm.filters import ScopedFilterSet, staff_filter
from wealthcrm.forms import DATE_INPUT
from wealthcrm.org.choices import MANAGER_ROLES, RELATIONSHIP_ROLES
from wealthcrm.org.filters import OrgSubtreeFilter
from wealthcrm.tiering import Tier


class TierChangeFilter(ScopedFilterSet):
    client = django_filters.NumberFilter(field_name="client_id", label=_("客户"))
    from_tier = django_filters.ChoiceFilter(choices=Tier.choices, label=_("原层级"))
    to_tier = django_filters.ChoiceFilter(choices=Tier.choices, label=_("新层级"))
    direction = django_filters.ChoiceFilter(choices=Direction.choices, label=_("方向"))
    effective_after = django_filters.DateFilter(field_name="effective_date", lookup_expr="gte", label=_("生效日期起"),
                                            widget=DATE_INPUT)
    effective_before = django_filters.DateFilter(field_name="effective_date", lookup_expr="lte", label=_("生效日期止"),
                                             widget=DATE_INPUT)
    org_unit = OrgSubtreeFilter(links=("client_unit",))

    class Meta:
        model = TierChange
        fields = ["client", "from_tier", "to_tier", "direction", "effective_after", "effective_before", "org_unit"]


class NearThresholdFilter(ScopedFilterSet):
    org_unit = OrgSubtreeFilter()
    tier = django_filters.ChoiceFilter(choices=Tier.choices, label=_("当前层级"))
    advisor = staff_filter(roles=RELATIONSHIP_ROLES, label=_("管户顾问"))



def near_threshold_filter(params, clients, request) -> NearThresholdFilter:
    """The near-threshold list's filters over ``clients`` (already narrowed to near-threshold ones)."""
    filterset = NearThresholdFilter(params, queryset=clients, request=request)
    if not request.user.has_role(*MANAGER_ROLES):  # an advisor's list is their own clients: only the tier narrows it
        for name in ("org_unit", "advisor"):
            del filterset.form.fields[name]
    return filterset
