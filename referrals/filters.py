import django_filters
from django.utils.translation import gettext_lazy as _

from referrals.choices import ReferralStatus
from referrals.models import Referral
from wealthcrm.org.filters import OrgSubtreeFilter

BOOL_VALUES = {"true": True, "false": False, "1": True, "0": False, "True": True, "False": False}


class ReferralFilterSet(django_filters.FilterSet):
    """Shared by ``/api/v1/referrals/`` and the referral pages (API.md "Referrals")."""

    status = django_filters.MultipleChoiceFilter(choices=ReferralStatus.choices, label=_("状态"))
    advisor = django_filters.NumberFilter(label=_("跟进顾问"))
    referrer = django_filters.NumberFilter(label=_("推荐人"))
    # A choice, not a BooleanFilter: an unknown value must be a 400, not silently ignored (API.md).
    sla_breached = django_filters.ChoiceFilter(choices=[(v, v) for v in BOOL_VALUES], method="filter_breached",
                                               label=_("超时"))
    # A unit includes its descendants, on either side of the referral (referring unit or advisor's unit).
    org_unit = OrgSubtreeFilter(links=("org_unit", "advisor__org_unit"), label=_("机构"))
    recommended_after = django_filters.DateFilter(field_name="recommended_at", lookup_expr="date__gte",
                                                  label=_("推荐日期起"))
    recommended_before = django_filters.DateFilter(field_name="recommended_at", lookup_expr="date__lte",
                                                   label=_("推荐日期止"))

    class Meta:
        model = Referral
        fields = ["status", "advisor", "referrer", "sla_breached", "org_unit"]

    def filter_breached(self, queryset, name, value):
        return queryset.filter(sla_breached=BOOL_VALUES[value])
