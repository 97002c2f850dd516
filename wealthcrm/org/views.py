"""HTML endpoints of the org app: the advisor picker that reassign pages share (one control per page), and the
search behind a list filter's staff picker (``wealthcrm.forms.StaffPicker``)."""

from django.db.models import Q
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from wealthcrm.org import scope
from wealthcrm.org.choices import MANAGER_ROLES, Role
from wealthcrm.org.models import Staff
from wealthcrm.scoped import scoped_page

PICKER_LIMIT = 20
QUERY_MAX = 50


def _label(person) -> str:
    return f"{person}（{person.org_unit.name if person.org_unit else ''}）"


def _search_text(request) -> str:
    return request.GET.get("q", "").replace("\x00", "").strip()[:QUERY_MAX]


def _starting_with(people, text):
    return people.filter(Q(display_name__istartswith=text) | Q(username__istartswith=text)) if text else people


@scoped_page(Staff, roles=MANAGER_ROLES)
def advisor_picker(request, staff):
    """Advisors the manager may reassign to (``scope.assignable_advisors``: active advisors and account managers
    of their directory) whose name or username starts with ``q``; at most ``PICKER_LIMIT``.

    Rendered as the picker's result list for htmx, or as ``{"results": [{id, name, username, org_unit}]}`` with
    ``?format=json``. Other roles never reassign: 403 (``scoped_page``)."""
    text = _search_text(request)
    people = _starting_with(scope.serving(staff).select_related("org_unit"), text)
    people = list(people.order_by("org_unit__path", "username")[:PICKER_LIMIT])
    if request.GET.get("format") == "json":
        return JsonResponse({"results": [
            {"id": p.pk, "name": str(p), "username": p.username, "org_unit": p.org_unit.name if p.org_unit else None}
            for p in people]})
    return render(request, "org/_advisor_options.html", {
        "people": [{"pk": p.pk, "label": _label(p)} for p in people], "q": text, "limit": PICKER_LIMIT})


@scoped_page(Staff)
def staff_picker(request, staff):
    """Staff the user may look up (their directory), of the ``roles`` given (comma-separated), whose name or
    username starts with ``q``: at most ``PICKER_LIMIT``, as the result list of a filter's staff picker. The filter
    itself checks the id picked against the same scope. An unknown role is a 400."""
    roles = [role for role in request.GET.get("roles", "").split(",") if role]
    if set(roles) - set(Role.values):
        return HttpResponseBadRequest(_("未知的角色。"))
    text = _search_text(request)
    people = _starting_with(staff.filter(role__in=roles) if roles else staff, text).select_related("org_unit")
    people = list(people.order_by("org_unit__path", "username")[:PICKER_LIMIT])
    return render(request, "org/_staff_options.html", {
        "people": [{"pk": p.pk, "name": str(p), "label": _label(p)} for p in people], "q": text,
        "limit": PICKER_LIMIT})
