"""HTML pages of the tiers app: thin, every list through ``visible_to`` and the shared FilterSets."""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clients.models import Client
from tiers import selectors, services
from tiers.choices import ChangeReason
from tiers.filters import TierChangeFilter, near_threshold_filter
from tiers.forms import TierPolicyForm
from tiers.models import TierChange, TierPolicy, TierRun
from wealthcrm.forms import add_service_errors
from wealthcrm.org.choices import BANK_WIDE_ROLES, CLIENT_DATA_ROLES, MANAGER_ROLES
from wealthcrm.org.decorators import role_required
from wealthcrm.org.models import OrgUnit
from wealthcrm.pagination import keyset_page, parse_id
from wealthcrm.scoped import scoped_object, scoped_page
from wealthcrm.tiering import DIRECTION_COLOURS, TIER_COLOURS, Tier

PAGE_SIZE = 50


def _policy_context():
    today = timezone.localdate()
    current = TierPolicy.objects.effective_on(today)
    return {"current_policy": current, "today": today,
            "near_branch": current.near_floor(current.branch_floor) if current else None,
            "near_head_office": current.near_floor(current.head_office_floor) if current else None}


@role_required(*CLIENT_DATA_ROLES)
def policy(request):
    can_edit = request.user.has_role(*BANK_WIDE_ROLES)
    policy_context = _policy_context()
    form = TierPolicyForm(request.POST or None, current=policy_context["current_policy"]) if can_edit else None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                created = services.create_policy(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已保存分层政策，%(day)s 起的重算将按新门槛执行。")
                                 % {"day": f"{created.effective_from:%Y-%m-%d}"})
                return redirect("tiers:policy")
    context = {"form": form, "can_edit": can_edit, "policies": TierPolicy.objects.select_related("created_by"),
               "runs": TierRun.objects.select_related("policy")[:10], **policy_context}
    return render(request, "tiers/policy.html", context)


@require_POST
@role_required(*BANK_WIDE_ROLES)
def recompute(request):
    from tiers.tasks import recompute_tiers_task

    result = recompute_tiers_task.delay(reason=ChangeReason.MANUAL)
    messages.success(request, _("已提交分层重算任务（%(id)s），完成后刷新本页查看结果。") % {"id": result.id})
    return redirect("tiers:policy")


@scoped_page(OrgUnit, roles=MANAGER_ROLES)
def distribution(request, units):
    root = selectors.distribution_root(request.user)
    if root is None:
        raise Http404
    unit = root
    if request.GET.get("unit"):
        # The units a manager may look up are their subtree (head office: the bank).
        unit = get_object_or_404(units, pk=parse_id(request.GET["unit"]))
    rows = selectors.tier_distribution(request.user, unit)
    totals = {tier: {"n": 0, "aum": 0} for tier in Tier.values[::-1]}
    for row in rows:
        for cell in row["tiers"]:
            totals[cell["tier"]]["n"] += cell["n"]
            totals[cell["tier"]]["aum"] += cell["aum"]
    ancestors = [u for u in OrgUnit.objects.filter(pk__in=unit.lineage_ids).order_by("path") if u.is_within(root)]
    chart = {"type": "bar", "data": {
        "labels": [row["unit"].name for row in rows],
        "datasets": [{"label": str(Tier(tier).label), "backgroundColor": TIER_COLOURS[tier],
                      "data": [next(c["n"] for c in row["tiers"] if c["tier"] == tier) for row in rows]}
                     for tier in Tier.values[::-1]]},
        "options": {"scales": {"x": {"stacked": True}, "y": {"stacked": True}}}}
    return render(request, "tiers/distribution.html", {
        "unit": unit, "rows": rows, "ancestors": ancestors, "chart": _json(chart),
        "totals": [{"tier": tier, "label": Tier(tier).label, **value} for tier, value in totals.items()],
        "grand_n": sum(v["n"] for v in totals.values()), "grand_aum": sum(v["aum"] for v in totals.values()),
        "counted_at": selectors.tiers_counted_at(),
    })


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


@scoped_page(Client, roles=CLIENT_DATA_ROLES)
def near_threshold(request, clients):
    filterset = near_threshold_filter(request.GET, selectors.near_threshold_clients(clients), request)
    clients = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    page, links = keyset_page(clients, request, ordering=("-aum", "-id"), size=PAGE_SIZE)
    context = _policy_context()
    policy_today = context["current_policy"]
    for client in page:
        client.next_floor = policy_today.next_floor(client.tier)
        client.gap = client.next_floor - client.aum
    return render(request, "tiers/near_threshold.html", {
        "filter": filterset, "page": page, "links": links,
        "is_manager": request.user.has_role(*MANAGER_ROLES), **context})


@scoped_page(TierChange, roles=CLIENT_DATA_ROLES)
def changes(request, tier_changes):
    filterset = TierChangeFilter(request.GET, queryset=tier_changes.select_related("client", "client__org_unit"),
                                 request=request)
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    # The twelve months up to the end of the period asked for (else this month).
    last = filterset.form.cleaned_data.get("effective_before") if filterset.is_valid() else None
    monthly = selectors.monthly_change_series(rows, last_month=last or timezone.localdate())
    page, links = keyset_page(rows, request, ordering=("-effective_date", "-id"), size=PAGE_SIZE)
    chart = {"type": "bar", "data": {
        "labels": [f"{m['month']:%Y-%m}" for m in monthly],
        "datasets": [{"label": _("升级"), "data": [m["upgrades"] for m in monthly],
                      "backgroundColor": DIRECTION_COLOURS["upgrade"]},
                     {"label": _("降级"), "data": [m["downgrades"] for m in monthly],
                      "backgroundColor": DIRECTION_COLOURS["downgrade"]}]}}
    return render(request, "tiers/changes.html", {
        "filter": filterset, "rows": page, "links": links, "monthly": monthly, "chart": _json(chart)})


@scoped_page(Client, roles=MANAGER_ROLES)
def reassign(request, clients):
    page, links = keyset_page(selectors.mismatched_clients(clients), request, ordering=("-aum", "-id"),
                              size=PAGE_SIZE)
    return render(request, "tiers/reassign.html", {"page": page, "links": links})


@require_POST
@scoped_object(Client, roles=MANAGER_ROLES, related=("org_unit",))
def reassign_client(request, client):
    from clients.services import reassign_client as reassign_service

    advisor_id = parse_id(request.POST.get("advisor"))
    if advisor_id is None:
        messages.error(request, _("请选择一位可以接手该客户的顾问。"))
        return redirect("tiers:reassign")
    advisor = selectors.allowed_advisor(request.user, client, advisor_id)
    if advisor is None:
        messages.error(request, _("%(client)s 只能改派给本分行、与其层级相符的顾问，请重新选择。") % {"client": client})
        return redirect("tiers:reassign")
    try:
        reassign_service(client=client, advisor=advisor, actor=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已将 %(client)s 改由 %(advisor)s 管户。") % {"client": client, "advisor": advisor})
    return redirect("tiers:reassign")
