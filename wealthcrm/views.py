import logging

from django.db import DatabaseError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache

from wealthcrm import health as checks

logger = logging.getLogger(__name__)


@never_cache
def health(request):
    """200 whenever the database answers (``degraded`` when anything else is off); 503 without it."""
    try:
        body = {"database": checks.database()}
    except DatabaseError:
        logger.exception("health: database unreachable")
        return JsonResponse({"status": "down", "database": {"ok": False}}, status=503)
    for name, check in checks.CHECKS.items():
        try:
            body[name] = check()
        except Exception:  # a broken check degrades health, it never takes the endpoint down
            logger.exception("health check %s failed", name)
            body[name] = {"ok": False}
    body["status"] = "ok" if all(part.get("ok") for part in body.values()) else "degraded"
    return JsonResponse(body, status=200)


def not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    return render(request, "errors/500.html", status=500)


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def favicon(request):
    # Browsers ask for /favicon.ico whatever the page links; resolved per request, the hashed static name exists.
    return redirect(static("wealthcrm/favicon.svg"), permanent=True)
