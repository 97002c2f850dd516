"""A plain list of audit events for head office and admin."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from wealthcrm.audit.filters import AuditEventFilterSet
from wealthcrm.audit.models import AuditEvent
from wealthcrm.org.scope import sees_everything

PAGE = 100


@login_required
def event_list(request):
    if not sees_everything(request.user):
        raise PermissionDenied
    filterset = AuditEventFilterSet(request.GET, queryset=AuditEvent.objects.select_related("actor"))
    events = filterset.qs if filterset.is_valid() else AuditEvent.objects.none()
    # Keyset paging on id: no COUNT over a table that only grows.
    after = request.GET.get("after", "")
    if after.isdigit():
        events = events.filter(id__lt=int(after))
    rows = list(events.order_by("-id")[: PAGE + 1])
    has_next = len(rows) > PAGE
    rows = rows[:PAGE]
    params = request.GET.copy()
    params.pop("after", None)
    if has_next:
        params["after"] = rows[-1].id
    return render(request, "audit/list.html", {
        "filter": filterset, "events": rows, "next_query": params.urlencode() if has_next else "",
    })
