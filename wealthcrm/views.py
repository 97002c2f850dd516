import logging
import secrets

from django.conf import settings
from django.db import DatabaseError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache

from wealthcrm import health as checks

logger = logging.getLogger(__name__)


def _may_read_health_details(request) -> bool:
    """Staff signed in, or operations' monitoring with ``X-Health-Token`` (API.md "Security")."""
    try:
        if request.user.is_authenticated:
            return True
    except DatabaseError:  # a session cookie while the database is down: no details, still an answer
        pass
    given = request.headers.get("X-Health-Token", "")
    return bool(settings.HEALTH_TOKEN) and secrets.compare_digest(given.encode(), settings.HEALTH_TOKEN.encode())


@never_cache
def health(request):
    """200 whenever the database answers (``degraded`` when anything else is off); 503 without it.

    Without credentials the body is only ``{status}``: client totals and task schedules are not public.
    """
    body = _health_body()
    status = 503 if body["status"] == "down" else 200
    if not _may_read_health_details(request):
        body = {"status": body["status"]}
    return JsonResponse(body, status=status)


def _health_body() -> dict:
    try:
        body = {"database": checks.database()}
    except DatabaseError:
        logger.exception("health: database unreachable")
        return {"status": "down", "database": {"ok": False}}
    for name, check in checks.CHECKS.items():
        try:
            body[name] = check()
        except Exception:  # a broken check degrades health, it never takes the endpoint down
            logger.exception("health check %s failed", name)
            body[name] = {"ok": False}
    body["status"] = "ok" if all(part.get("ok") for part in body.values()) else "degraded"
    return body


def not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    return render(request, "errors/500.html", status=500)


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def favicon(request):
    # Browsers ask for /favicon.ico whatever the page links; resolved per request, the hashed static name exists.
    return redirect(static("wealthcrm/favicon.svg"), permanent=True)
