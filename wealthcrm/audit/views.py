"""A plain list of audit events for head office and admin."""

from django.shortcuts import render

from wealthcrm.audit import selectors
from wealthcrm.audit.filters import AuditEventFilterSet
from wealthcrm.audit.models import AuditEvent
from wealthcrm.org.choices import BANK_WIDE_ROLES
from wealthcrm.pagination import keyset_page
from wealthcrm.scoped import scoped_page

PAGE = 100


@scoped_page(AuditEvent, roles=BANK_WIDE_ROLES)
def event_list(request, events):
    filterset = AuditEventFilterSet(request.GET, queryset=events.select_related("actor", "client"), request=request)
    events = filterset.qs if filterset.is_valid() else AuditEvent.objects.none()
    # Keyset paging on (at, id), the index the ``after``/``before`` time filters narrow: no COUNT over a table
    # that only grows. The filters own ``after``/``before``, so the cursors take other names.
    rows, links = keyset_page(events, request, ordering=("-at", "-id"), size=PAGE, cursors=("older", "newer"))
    return render(request, "audit/list.html", {"filter": filterset, "events": selectors.readable(rows),
                                               "links": links})
