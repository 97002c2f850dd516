"""HTML endpoints of the org app: the advisor picker that reassign pages share (one control per page)."""

from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import render

from wealthcrm.org import scope
from wealthcrm.org.choices import MANAGER_ROLES
from wealthcrm.org.models import Staff
from wealthcrm.scoped import scoped_page

PICKER_LIMIT = 20
QUERY_MAX = 50


def _label(person) -> str:
    return f"{person}（{person.org_unit.name if person.org_unit else ''}）"


@scoped_page(Staff, roles=MANAGER_ROLES)
def advisor_picker(request, staff):
    """Advisors the manager may reassign to (``scope.assignable_advisors``: active advisors and account managers
    of their directory) whose name or username starts with ``q``; at most ``PICKER_LIMIT``.

    Rendered as the picker's result list for htmx, or as ``{"results": [{id, name, username, org_unit}]}`` with
    ``?format=json``. Other roles never reassign: 403 (``scoped_page``)."""
    text = request.GET.get("q", "").replace("\x00", "").strip()[:QUERY_MAX]
    people = scope.serving(staff).select_related("org_unit")
    if text:
        people = people.filter(Q(display_name__istartswith=text) | Q(username__istartswith=text))
    people = list(people.order_by("org_unit__path", "username")[:PICKER_LIMIT])
    if request.GET.get("format") == "json":
        return JsonResponse({"results": [
            {"id": p.pk, "name": str(p), "username": p.username, "org_unit": p.org_unit.name if p.org_unit else None}
            for p in people]})
    return render(request, "org/_advisor_options.html", {
        "people": [{"pk": p.pk, "label": _label(p)} for p in people], "q": text, "limit": PICKER_LIMIT})
