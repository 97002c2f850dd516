"""A plain list of audit events for head office and admin."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from wealthcrm.audit.filters import AuditEventFilterSet
from wealthcrm.audit.models import AuditEvent
from wealthcrm.org.scope import sees_everything
from wealthcrm.pagination import keyset_page

PAGE = 100


@login_required
def event_list(request):
    if not sees_everything(request.user):
        raise PermissionDenied
    filterset = AuditEventFilterSet(request.GET, queryset=AuditEvent.objects.select_related("actor"))
    events = filterset.qs if filterset.is_valid() else AuditEvent.objects.none()
    # Keyset paging on id: no COUNT over a table that only grows.
    rows, links = keyset_page(events, request, size=PAGE)
    return render(request, "audit/list.html", {"filter": filterset, "events": rows, "links": links})
