import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from wealthcrm.filters import ScopedFilterSet
from wealthcrm.forms import FastSelect
from wealthcrm.org.choices import OrgKind, Role
from wealthcrm.org.models import OrgUnit, Staff


@extend_schema_field(OpenApiTypes.INT)
class OrgSubtreeFilter(django_filters.ModelChoiceFilter):
    """``org_unit=<id>``: rows whose org link lies in that unit's subtree (the unit and its descendants), as
    everywhere in the API. ``links`` names the org-unit lookups to match; any one matching is enough. In a
    ``ScopedFilterSet`` the units offered are those the user may look up."""

    def __init__(self, *args, links=("org_unit",), **kwargs):
        kwargs.setdefault("queryset", OrgUnit.objects.order_by("path"))
        kwargs.setdefault("label", _("机构（含下级）"))
        kwargs.setdefault("widget", FastSelect)
        super().__init__(*args, **kwargs)
        self.links = links

    def filter(self, qs, value):
        if not value:
            return qs
        match = Q()
        for link in self.links:  # "" matches the org unit itself
            match |= Q(**{f"{link}__path__startswith" if link else "path__startswith": value.path})
        return qs.filter(match)


class OrgUnitFilterSet(ScopedFilterSet):
    kind = django_filters.ChoiceFilter(choices=OrgKind.choices)
    parent = django_filters.ModelChoiceFilter(queryset=OrgUnit.objects.all())
    within = OrgSubtreeFilter(links=("",), label="org subtree (id)")

    class Meta:
        model = OrgUnit
        fields = ["kind", "parent", "code"]


class StaffFilterSet(ScopedFilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices)
    org_unit = OrgSubtreeFilter()

    class Meta:
        model = Staff
        fields = ["role", "org_unit", "username"]
