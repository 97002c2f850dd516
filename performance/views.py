from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from clients.models import Client
from performance import selectors
from referrals.models import Referral
from wealthcrm.org.choices import MANAGER_ROLES, RELATIONSHIP_ROLES, Role
from wealthcrm.scoped import scoped_page


@login_required
def home(request):
    """The role's home page: "my day" for relationship managers, an overview for managers and head office."""
    user = request.user
    role = user.effective_role
    context = {"now": timezone.localtime()}
    if role in RELATIONSHIP_ROLES:
        context["day"] = selectors.my_day(user)
    elif role == Role.HALL_STAFF:
        context["hall"] = selectors.hall_overview(user)
    elif role in MANAGER_ROLES:
        context["overview"] = selectors.manager_overview(user)
    return render(request, "performance/home.html", context)


@scoped_page(Client, Referral)
@require_GET
def search(request, clients, referrals):
    """Results of the header search box, grouped: clients, then referrals."""
    found = selectors.search(request.user, clients=clients, referrals=referrals, text=request.GET.get("q", ""))
    return render(request, "performance/search.html", {"found": found})
