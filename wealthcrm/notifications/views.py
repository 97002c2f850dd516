from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from wealthcrm.notifications import services
from wealthcrm.notifications.models import Notification
from wealthcrm.pagination import keyset_page
from wealthcrm.scoped import scoped_object, scoped_page


@scoped_page(Notification)
def notification_list(request, qs):
    if request.GET.get("unread") == "1":
        qs = qs.unread()
    page, links = keyset_page(qs, request, size=30)
    return render(request, "notifications/list.html", {"page": page, "links": links,
                                                       "unread_only": request.GET.get("unread") == "1"})


@scoped_object(Notification)
@require_POST
def mark_read(request, notification):
    services.mark_read(user=request.user, notification_id=notification.pk)
    notification.refresh_from_db()
    if request.htmx:
        response = render(request, "notifications/_row.html", {"n": notification})
        response["HX-Trigger"] = "notifications-changed"
        return response
    return redirect("notifications:list")


@login_required
@require_POST
def mark_all_read(request):
    services.mark_read(user=request.user)
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return redirect("notifications:list")


@scoped_object(Notification)
def open_notification(request, notification):
    """Follow a notification's link and mark it read on the way."""
    services.mark_read(user=request.user, notification_id=notification.pk)
    url = notification.url
    # Only our own paths: a stored link must never send staff off-site.
    if not (url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=None)):
        return redirect("notifications:list")
    return redirect(url)
