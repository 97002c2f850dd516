"""Every URL is built on the scoped bases (wealthcrm/scoped.py) unless it is on the short list below.

The walk covers the whole resolver (includes, namespaces, every app's DRF router), so a new page or endpoint
that reaches data without the bases fails here: build it with ``scoped_page`` / ``scoped_object`` /
``ScopedListView`` / ``ScopedDetailView`` / ``ScopedViewSet``, or, if it serves no scoped rows, add it below
with the reason.
"""

import inspect
from types import ModuleType

from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver, path
from rest_framework import viewsets
from rest_framework.routers import SimpleRouter

from clients.models import Client
from wealthcrm.scoped import ScopedListView, ScopedMixin, ScopedReadOnlyViewSet, ScopedViewSet, scoped_page

# URL name → why it is not built on a scoped base. Keep it short: only views that serve no scoped rows.
NOT_SCOPED = {
    # framework and sign-in: no business data
    "login": "sign-in page",
    "logout": "sign-out",
    "set_language": "Django's language switch (i18n)",
    "health": "health probe",
    "favicon": "redirect to the static icon",
    "api-root": "DRF's index of endpoints",
    "api-token": "token sign-in",
    "api-logout": "revokes the caller's own token",
    "task-status": "state of a Celery task by id; no rows",
    "schema": "OpenAPI schema",
    "api-docs": "API docs page",
    # bank-wide reference data and jobs, not per-person rows
    "tiers:policy": "the tier policy is bank-wide reference data",
    "tier-policy-list": "the tier policy is bank-wide reference data",
    "tier-policy-detail": "the tier policy is bank-wide reference data",
    "tiers:recompute": "queues the bank-wide recompute (head office only)",
    "tier-recompute": "queues the bank-wide recompute (head office only)",
    "clients:import-template": "an empty spreadsheet of an import kind's column headers (head office); no rows",
    "calendar:manage": "the business-day calendar is bank-wide reference data",
    "calendar:manual": "the business-day calendar is bank-wide reference data",
    "calendar:upload": "the business-day calendar is bank-wide reference data",
    "calendar:reseed": "the business-day calendar is bank-wide reference data",
    "calendar-business-days": "the business-day calendar is bank-wide reference data",
    "performance:targets": "KPI targets and weights are bank-wide reference data (head office editor)",
    "kpi-target-list": "KPI targets and weights are bank-wide reference data",
    "kpi-target-detail": "KPI targets and weights are bank-wide reference data",
    "performance:recompute": "queues the bank-wide scorecard recompute (head office only)",
    "scorecard-recompute": "queues the bank-wide scorecard recompute (head office only)",
    # writes whose rules are the write-scope functions of org.scope, reached through the service
    "clients:create": "create form; placement by scope.check_client_placement",
    "aum-snapshots": "bulk write; clients looked up through Client.objects.visible_to",
    "referrals:index": "redirect to referrals:mine",
    "referrals:submit": "referral form; advisors from scope.referral_advisors / check_referral_advisor",
    "notifications:read-all": "marks the caller's own notifications (services.mark_read(user=...))",
    # the role home page: every figure from performance.selectors, which start from visible_to
    "home": "role home page built from performance.selectors (scoped querysets)",
}

SKIPPED_NAMESPACES = {"admin"}  # Django's admin: staff permissions of its own, not the bank's scope


def _patterns(resolver, namespace=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, inner)
        elif isinstance(entry, URLPattern):
            yield (f"{namespace}{entry.name}" if entry.name else str(entry.pattern)), entry.callback


def _scoped_problem(callback) -> str | None:
    """``None`` when the view is built on a scoped base, else what is wrong with it."""
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if cls is not None:
        if issubclass(cls, ScopedViewSet):
            own = cls.__dict__.get("get_queryset")
            if own is not None and "super().get_queryset()" not in inspect.getsource(own):
                return f"{cls.__name__}.get_queryset does not start from super().get_queryset()"
            if not hasattr(cls.queryset, "visible_to"):
                return f"{cls.__name__}.queryset has no visible_to"
            return None
        if issubclass(cls, ScopedMixin):
            return None
        return f"{cls.__name__} is not a ScopedViewSet / ScopedListView / ScopedDetailView"
    models = getattr(callback, "scoped_models", None)
    if models:
        missing = [m.__name__ for m in models if not hasattr(m.objects, "visible_to")]
        return f"models without visible_to: {missing}" if missing else None
    return f"{getattr(callback, '__qualname__', callback)} is not built with scoped_page / scoped_object"


def unscoped_views(urlconf=None) -> dict[str, str]:
    return {name: problem for name, callback in _patterns(get_resolver(urlconf))
            if name not in NOT_SCOPED and (problem := _scoped_problem(callback))}


def test_every_url_is_built_on_the_scoped_bases():
    assert unscoped_views() == {}


def test_the_allowlist_names_only_urls_that_exist():
    names = {name for name, _callback in _patterns(get_resolver())}
    assert set(NOT_SCOPED) <= names


def test_the_walk_sees_pages_and_every_router():
    names = {name for name, _callback in _patterns(get_resolver())}
    for expected in ("clients:list", "clients:detail", "referrals:board", "tiers:changes", "audit:list",
                     "notifications:list", "client-list", "client-detail", "contact-list", "referral-detail",
                     "tier-change-list", "audit-event-list", "notification-list", "org-unit-list", "staff-detail",
                     "import-list"):
        assert expected in names


def plain_list(request):
    return HttpResponse(", ".join(c.name for c in Client.objects.all()))


class PlainViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Client.objects.all()


class ForgetfulViewSet(ScopedReadOnlyViewSet):
    queryset = Client.objects.all()

    def get_queryset(self):
        return Client.objects.all()


@scoped_page(Client)
def scoped_list(request, clients):
    return HttpResponse(", ".join(c.name for c in clients))


class ClientListView(ScopedListView):
    model = Client


def test_a_plain_page_or_viewset_added_tomorrow_fails_the_walk():
    router = SimpleRouter()
    router.register("plain", PlainViewSet, basename="plain")
    router.register("forgetful", ForgetfulViewSet, basename="forgetful")
    urlconf = ModuleType("tomorrow_urls")
    urlconf.urlpatterns = [
        path("plain/", plain_list, name="plain-page"),
        path("scoped/", scoped_list, name="scoped-page"),
        path("scoped-class/", ClientListView.as_view(), name="scoped-class-page"),
        *router.urls,
    ]
    assert set(unscoped_views(urlconf)) == {"plain-page", "plain-list", "plain-detail", "forgetful-list",
                                            "forgetful-detail"}


def test_a_class_based_scoped_list_reads_through_visible_to(bank, rf):
    from tests.factories import ClientFactory

    mine = ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor)
    ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor2)
    request = rf.get("/")
    request.user = bank.advisor
    view = ClientListView()
    view.setup(request)
    assert list(view.get_queryset()) == [mine]
