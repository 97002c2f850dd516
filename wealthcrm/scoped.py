"""Scope by construction: the bases every page and API endpoint over scoped data is built on.

Which rows a member of staff may see is decided once, in ``wealthcrm/org/scope.py``, and exposed by each model's
queryset as ``visible_to(user)``. The bases below apply it for the view, so that a new page or endpoint cannot
forget it (``tests/core/test_url_scope.py`` walks every URL and fails on a list or detail view built without them).

Pages (function views) — the view receives the scoped queryset, or the object itself, instead of reaching for
``Model.objects``::

    @scoped_page(Client, roles=CLIENT_DATA_ROLES)
    def client_list(request, clients):              # clients = Client.objects.visible_to(request.user)
        ...

    @scoped_object(Client, roles=CLIENT_DATA_ROLES, related=("org_unit", "advisor"))
    def client_detail(request, client):             # looked up by the URL's ``pk``; out of scope → 404
        ...

``roles`` gates the page (anonymous → sign-in page, other roles → 403; ``None``: every signed-in user); it says
who may open the page, never which rows they get. Class-based pages use :class:`ScopedListView` /
:class:`ScopedDetailView` (``model``, optional ``roles`` and ``related``).

API — viewsets inherit :class:`ScopedViewSet` (or :class:`ScopedReadOnlyViewSet`) and declare ``queryset`` with
the joins they need; as NetBox's ``BaseViewSet.initial`` does, the queryset is narrowed through ``visible_to``
for the request before any handler runs. A viewset that refines ``get_queryset`` starts from
``super().get_queryset()``::

    class ContactViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
        queryset = Contact.objects.select_related("client", "staff")
        serializer_class = ContactSerializer
        filterset_class = ContactFilterSet      # a ScopedFilterSet (wealthcrm/filters.py): choices in scope

Filters: FilterSets inherit ``wealthcrm.filters.ScopedFilterSet`` and are given ``request=request``; their org-unit
and staff choices are those the user may look up, and an out-of-scope value is a 400 ("select a valid choice").
Write rules (who may place a client where, which advisor may be picked) are functions in ``wealthcrm/org/scope.py``.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView
from rest_framework import mixins, viewsets


def _gate(user, roles) -> None:
    if roles is not None and not user.has_role(*roles):
        raise PermissionDenied


def _mark(view, models):
    # Read by the URL walk (tests/core/test_url_scope.py): the scoped models this view serves.
    view.scoped_models = tuple(models)
    return view


def scoped_page(*models, roles=None):
    """A page over scoped rows: the view is called with ``Model.objects.visible_to(user)`` for each model named,
    after the request's positional arguments (``view(request, clients, ...)``)."""

    def decorate(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            _gate(request.user, roles)
            querysets = [model.objects.visible_to(request.user) for model in models]
            return view(request, *querysets, *args, **kwargs)

        return _mark(wrapper, models)

    return decorate


def scoped_object(model, *, roles=None, related=(), lookup="pk"):
    """A page about one scoped row, named by the URL's ``lookup`` keyword: the view is called with the object
    (``view(request, obj, **other_kwargs)``); a row out of the user's scope is a 404, like one that does not exist."""

    def decorate(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            _gate(request.user, roles)
            queryset = model.objects.visible_to(request.user)
            if related:
                queryset = queryset.select_related(*related)
            obj = get_object_or_404(queryset, **{lookup: kwargs.pop(lookup)})
            return view(request, obj, *args, **kwargs)

        return _mark(wrapper, (model,))

    return decorate


class ScopedMixin(LoginRequiredMixin):
    """Class-based pages: ``get_queryset`` is ``model.objects.visible_to(user)`` (with ``related`` joined)."""

    model = None
    roles = None
    related = ()

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            _gate(request.user, self.roles)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        queryset = self.model.objects.visible_to(self.request.user)
        return queryset.select_related(*self.related) if self.related else queryset


class ScopedListView(ScopedMixin, ListView):
    pass


class ScopedDetailView(ScopedMixin, DetailView):
    pass


class ScopedViewSet(viewsets.GenericViewSet):
    """The base of every API viewset over scoped rows.

    ``queryset`` names the model and its joins; :meth:`initial` narrows it to ``visible_to(request.user)`` once
    per request, after authentication and before the handler (list, detail, or an action's ``get_object``)
    reads it, so objects out of scope are 404. Who may call the endpoint at all stays with
    ``permission_classes`` (403); which rows they get is only ever this.
    """

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.queryset = type(self).queryset.visible_to(request.user)


class ScopedReadOnlyViewSet(mixins.RetrieveModelMixin, mixins.ListModelMixin, ScopedViewSet):
    pass
