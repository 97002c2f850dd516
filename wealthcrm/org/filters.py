import django_filters
from django.db.models import Subquery

from wealthcrm.org.choices import OrgKind, Role
from wealthcrm.org.models import OrgUnit, Staff


class OrgUnitFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=OrgKind.choices)
    parent = django_filters.NumberFilter()
    within = django_filters.NumberFilter(method="filter_within", label="org subtree (id)")

    class Meta:
        model = OrgUnit
        fields = ["kind", "parent", "code"]

    def filter_within(self, queryset, name, value):
        return queryset.filter(path__startswith=Subquery(OrgUnit.objects.filter(pk=value).values("path")[:1]))


class StaffFilterSet(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices)
    org_unit = django_filters.ModelChoiceFilter(queryset=OrgUnit.objects.all(), method="filter_org_unit")

    class Meta:
        model = Staff
        fields = ["role", "org_unit", "username"]

    def filter_org_unit(self, queryset, name, value):
        # An org unit includes its descendants, as everywhere in the API.
        return queryset.filter(org_unit__path__startswith=value.path)
