import logging
import time

from django.conf import settings
from django.http import JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

LAST_SEEN_KEY = "_last_seen"  # when the session's expiry was last pushed back (epoch seconds)
SESSION_REFRESH_SECONDS = 60


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Simplified Chinese unless the user picked another language (cookie), whatever the browser asks for.

    The bank's staff use browsers set to any locale; the product speaks Chinese first and English on request.
    """

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class ContentSecurityPolicyMiddleware:
    """Sends ``settings.CONTENT_SECURITY_POLICY`` with every response (API.md "Security")."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


def swagger_ui_policy(view):
    """Swagger UI (vendored, served by the sidecar) injects a <style> element: its page alone may use inline
    styles. Scripts stay 'self' only — the split view serves its start-up script as a file."""

    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.headers["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY.replace(
            "style-src 'self'", "style-src 'self' 'unsafe-inline'")
        return response

    return wrapped


class BackgroundWorkUnavailableMiddleware:
    """Redis (broker, results) down: a clear 503, never a 500 — on the API and the pages alike.

    The one place that turns the broker's connection errors (``.delay()``, task status) into a reply; DRF
    passes exceptions it does not know on to here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from kombu.exceptions import OperationalError
        from redis.exceptions import ConnectionError, TimeoutError

        if not isinstance(exception, (OperationalError, ConnectionError, TimeoutError)):
            return None
        logger.warning("background work unavailable: %s", exception)
        message = _("后台任务暂不可用，请稍后再试。")
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": str(message)}, status=503)
        return render(request, "errors/503.html", {"message": message}, status=503)


class IdleSessionMiddleware:
    """Sessions end after ``SESSION_COOKIE_AGE`` seconds without a request (API.md "Security": 30 minutes).

    Each request pushes the expiry back, but writes the session at most once a minute: the idle limit holds
    to the minute without a database write on every page view.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.session.session_key:
            now = int(time.time())
            if now - request.session.get(LAST_SEEN_KEY, 0) >= SESSION_REFRESH_SECONDS:
                request.session[LAST_SEEN_KEY] = now  # saving renews the expiry
        return self.get_response(request)
