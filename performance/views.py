"""HTML pages of the performance app: thin — figures come from services/scorecards, rows through visible_to."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clients.models import Client
from performance import dashboards, scorecards, selectors, services
from performance.choices import CATALOGUE, ECHELON_KINDS, KpiCode
from performance.forms import ComplaintForm, KpiTargetForm, MeetingForm
from performance.models import (
    AnalysisMeeting,
    Complaint,
    EchelonResult,
    KpiTarget,
    KpiValue,
    Scorecard,
    ScoreRule,
)
from referrals.models import Referral
from wealthcrm.forms import add_service_errors
from wealthcrm.money import to_wan
from wealthcrm.org.choices import (
    BANK_WIDE_ROLES,
    CLIENT_DATA_ROLES,
    MANAGER_ROLES,
    RELATIONSHIP_ROLES,
    OrgKind,
    Role,
)
from wealthcrm.org.decorators import role_required
from wealthcrm.org.models import OrgUnit
from wealthcrm.pagination import keyset_page, parse_id
from wealthcrm.scoped import scoped_object, scoped_page
from wealthcrm.tiering import TIER_COLOURS

PAGE_SIZE = 50
TREND_MONTHS = 12
HISTORY_MONTHS = 6


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


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _period(request, *, default_last_month: bool = False) -> services.Period:
    """``?period=YYYY-MM`` (the month picker), default this month (or the last full one); a malformed one is a
    404, not a 500."""
    text = request.GET.get("period")
    if not text:
        current = services.Period.of(timezone.localdate())
        return current.previous if default_last_month else current
    try:
        return services.Period.parse(text)
    except ValidationError:
        raise Http404 from None


@scoped_page(Scorecard, roles=CLIENT_DATA_ROLES)
def scorecard(request, cards, advisor_id=None):
    """一人一表: the advisor's own (no id) or, for managers, one advisor of their subtree (out of scope: 404)."""
    period = _period(request)
    if advisor_id is None:
        if not request.user.has_role(*RELATIONSHIP_ROLES):
            return redirect("performance:leaderboard")
        advisor = request.user
    else:
        # any scorecard of the advisor in scope opens the page (the month picked may not be computed yet)
        advisor = get_object_or_404(cards.filter(advisor_id=advisor_id).select_related("advisor")[:1]).advisor
    card = (cards.select_related("advisor", "org_unit", "branch")
            .filter(advisor=advisor, period=period.start).first())
    context = {"advisor": advisor, "period": period, "card": card, "own": advisor == request.user}
    if card:
        values = scorecards.kpi_maps([card]).get((card.advisor_id, card.period), {})
        kpi_lines = scorecards.lines(card, values)
        axes = scorecards.radar(kpi_lines)
        history = scorecards.trend(advisor, period, TREND_MONTHS)
        context.update({
            "lines": kpi_lines, "reading": scorecards.strengths_and_weaknesses(kpi_lines, axes),
            "radar": _json({"type": "radar", "data": {
                "labels": [str(a["label"]) for a in axes],
                "datasets": [{"label": _("目标达成（%）"), "data": [a["percent"] for a in axes]}]},
                "options": {"scales": {"r": {"min": 0, "max": 100}}}}),
            "trend": _json({"type": "line", "data": {
                "labels": [f"{c.period:%Y-%m}" for c in history],
                "datasets": [{"label": _("综合得分"), "data": [float(c.score) for c in history]}]}}),
        })
    return render(request, "performance/scorecard.html", context)


@scoped_page(Scorecard, roles=CLIENT_DATA_ROLES)
def kpi_rows(request, cards, advisor_id, period, code):
    """The rows behind one KPI figure; the scorecard must be in the caller's scope (else 404)."""
    try:
        month = services.Period.parse(period)
    except ValidationError:
        raise Http404 from None
    if code not in CATALOGUE:
        raise Http404
    card = get_object_or_404(cards.select_related("advisor"), advisor_id=advisor_id, period=month.start)
    value = KpiValue.objects.filter(advisor_id=advisor_id, period=month.start, kpi=code).values_list(
        "value", flat=True).first()
    return render(request, "performance/kpi_rows.html", {
        "card": card, "period": month, "kpi": CATALOGUE[code], "value": value,
        **scorecards.kpi_rows(card.advisor, month, code)})


# The columns a manager scans first; every KPI can still be picked as the sort order.
LEADERBOARD_COLUMNS = [KpiCode.AUM_GROWTH, KpiCode.NEW_CLIENTS, KpiCode.EFFECTIVE_CONTACTS,
                       KpiCode.CALLS_PER_BUSINESS_DAY, KpiCode.COVERAGE_RATE, KpiCode.CALLBACK_COMPLIANCE,
                       KpiCode.PRODUCT_ALLOCATION, KpiCode.COMPLAINTS]


@scoped_page(Scorecard, OrgUnit, roles=MANAGER_ROLES)
def leaderboard(request, cards, units):
    """Advisors of the manager's subtree for a month, sortable by score or any KPI; drill into one."""
    period = _period(request)
    cards = cards.filter(period=period.start).select_related("advisor", "org_unit")
    unit = None
    if request.GET.get("org_unit"):
        unit = get_object_or_404(units, pk=parse_id(request.GET["org_unit"]))
        cards = cards.filter(org_unit__path__startswith=unit.path)
    sort = request.GET.get("sort", "score")
    columns = LEADERBOARD_COLUMNS if sort in LEADERBOARD_COLUMNS or sort not in CATALOGUE else [*LEADERBOARD_COLUMNS, sort]
    if sort in CATALOGUE:
        # a missing value sorts as 0 (the recompute writes zeros): the keyset cursor needs a value on every row
        cards = cards.annotate(sort_value=Coalesce(Subquery(KpiValue.objects.filter(
            advisor=OuterRef("advisor"), period=period.start, kpi=sort).values("value")[:1]),
            Value(0, output_field=KpiValue._meta.get_field("value"))))
        ordering = ("-sort_value" if CATALOGUE[sort].direction == "higher" else "sort_value", "id")
    else:
        sort = "score"
        ordering = ("-score", "id")
    page, links = keyset_page(cards, request, ordering=ordering, size=PAGE_SIZE)
    maps = scorecards.kpi_maps(page)
    rows = [{"card": c, "kpis": [{"unit": CATALOGUE[code].unit, "value": maps.get((c.advisor_id, c.period), {}).get(code, 0)}
                                 for code in columns]}
            for c in page]
    return render(request, "performance/leaderboard.html", {
        "period": period, "rows": rows, "links": links, "sort": sort, "unit": unit, "kpis": list(CATALOGUE.values()),
        "columns": [CATALOGUE[code] for code in columns], "units": units.exclude(kind=OrgKind.OUTLET)})


@scoped_page(EchelonResult, roles=MANAGER_ROLES)
def echelons(request, results):
    """五梯队 with cards: units of each kind ranked for the month (by default the last full month: the
    monthly review), and the last months' echelons beside."""
    period = _period(request, default_last_month=True)
    months = [period]
    for _i in range(HISTORY_MONTHS - 1):
        months.append(months[-1].previous)
    results = list(results.filter(period__in=[m.start for m in months]).select_related("org_unit"))
    history = {(r.org_unit_id, r.period): r for r in results}
    groups = []
    for kind in ECHELON_KINDS:
        current = sorted((r for r in results if r.kind == kind and r.period == period.start), key=lambda r: r.rank)
        if current:
            groups.append({"kind": OrgKind(kind).label, "rows": [
                {"result": r, "history": [history.get((r.org_unit_id, m.start)) for m in months[1:]]}
                for r in current]})
    return render(request, "performance/echelons.html", {
        "period": period, "groups": groups, "history_months": months[1:],
        "can_recompute": request.user.has_role(*BANK_WIDE_ROLES)})


@require_POST
@role_required(*BANK_WIDE_ROLES)
def recompute(request):
    from performance.tasks import recompute_scorecards_task

    period = _period(request) if request.GET.get("period") else services.Period.of(timezone.localdate())
    result = recompute_scorecards_task.delay(period=str(period))
    messages.success(request, _("已提交 %(period)s 的考核重算任务（%(id)s），完成后刷新本页查看结果。")
                     % {"period": period, "id": result.id})
    return redirect(f"{reverse('performance:echelons')}?period={period}")


@role_required(*BANK_WIDE_ROLES)
def targets(request):
    """Targets and weights per role (effective-dated; new rows, never edits) and the complaint deduction."""
    form = KpiTargetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            row = services.create_target(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存：%(row)s。") % {"row": row})
            return redirect("performance:targets")
    period = services.Period.of(timezone.localdate())
    in_force = services.targets_in_force(period)
    table = [{"kpi": kpi, "advisor": in_force.get(("advisor", code)),
              "account_manager": in_force.get(("account_manager", code))} for code, kpi in CATALOGUE.items()
             if code != KpiCode.COMPLAINTS]
    return render(request, "performance/targets.html", {
        "form": form, "table": table, "period": period,
        "rule": ScoreRule.objects.effective_on(period.start).order_by("-effective_from").first(),
        "history": KpiTarget.objects.select_related("created_by").order_by("-created_at", "-id")[:30],
        "weight_totals": {role: sum((row[role].weight for row in table if row[role]), 0)
                          for role in ("advisor", "account_manager")}})


@scoped_page(AnalysisMeeting, Client, roles=MANAGER_ROLES)
def meetings(request, log, clients):
    """客户分析会 log of the units in scope, the form to record one, and branches that missed a month."""
    form = MeetingForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        numbers = form.client_numbers()
        discussed = list(clients.filter(client_no__in=numbers))
        if len(discussed) != len(set(numbers)):
            form.add_error("client_nos", _("部分客户号不存在或不在您的管辖范围内。"))
        else:
            try:
                services.record_meeting(actor=request.user, org_unit=form.cleaned_data["org_unit"],
                                        held_on=form.cleaned_data["held_on"], attendees=form.cleaned_data["attendees"],
                                        clients=discussed, notes=form.cleaned_data["notes"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已记录客户分析会。"))
                return redirect("performance:meetings")
    log = log.select_related("org_unit").prefetch_related("attendees", "clients")
    page, links = keyset_page(log, request, ordering=("-held_on", "-id"), size=PAGE_SIZE)
    return render(request, "performance/meetings.html", {
        "form": form, "page": page, "links": links,
        "missed": selectors.missed_meetings(request.user, timezone.localdate())})


@scoped_page(Complaint, Client, roles=MANAGER_ROLES)
def complaints(request, rows, clients):
    """Complaints about advisors in scope: record one, decide valid or invalid (only valid ones deduct)."""
    form = ComplaintForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        client = clients.filter(client_no=form.cleaned_data["client_no"]).first()
        try:
            services.record_complaint(actor=request.user, client=client, advisor=form.cleaned_data["advisor"],
                                      received_on=form.cleaned_data["received_on"], note=form.cleaned_data["note"])
        except ValidationError as exc:
            errors = exc.message_dict
            if "client" in errors:  # the form asks for the client number
                errors["client_no"] = errors.pop("client")
            add_service_errors(form, ValidationError(errors))
        else:
            messages.success(request, _("已登记投诉，待认定。"))
            return redirect("performance:complaints")
    rows = rows.select_related("client", "advisor", "decided_by")
    if request.GET.get("state") == "undecided":
        rows = rows.filter(valid__isnull=True)
    page, links = keyset_page(rows, request, ordering=("-received_on", "-id"), size=PAGE_SIZE)
    return render(request, "performance/complaints.html", {"form": form, "page": page, "links": links,
                                                          "state": request.GET.get("state", "")})


@require_POST
@scoped_object(Complaint, roles=MANAGER_ROLES)
def decide_complaint(request, complaint):
    choice = request.POST.get("valid")
    if choice not in ("1", "0"):
        raise PermissionDenied
    try:
        services.decide_complaint(complaint=complaint, actor=request.user, valid=choice == "1")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已认定为有效投诉。") if choice == "1" else _("已认定为无效投诉。"))
    return redirect("performance:complaints")


def _bar(labels, datasets, **options) -> str:
    return _json({"type": "bar", "data": {"labels": [str(label) for label in labels], "datasets": datasets},
                  "options": {"maintainAspectRatio": False, **options}})


@scoped_page(OrgUnit, roles=MANAGER_ROLES)
def dashboard(request, units):
    """经营看板: the manager's subtree (head office: the bank) for a month; ``?unit=`` narrows every card to a
    unit in scope (else 404), ``?period=YYYY-MM`` picks the month (malformed or in the future: 404). The figures
    are :func:`performance.dashboards.figures`, as the API serves them; this page adds the charts."""
    today = timezone.localdate()
    try:
        period = dashboards.parse_period(request.GET.get("period"), today=today)
    except ValidationError:
        raise Http404 from None
    root, unit = dashboards.locate(request.user, units, request.GET.get("unit"))
    context = dashboards.figures(request.user, units=units, root=root, unit=unit, period=period, today=today,
                                 now=timezone.now())
    mix, moves, funnel = context["mix"], context["moves"], context["funnel"]
    tier_labels = [row["label"] for row in mix]
    funnel_steps = [(_("推荐"), funnel["total"]), (_("已联系"), funnel["contacted"]), (_("已签约"), funnel["signed"])]
    context.update({
        "keep": {"unit": unit.pk} if unit != root else {}, "funnel_steps": funnel_steps,
        "mix_chart": _bar(tier_labels, [
            {"label": _("客户数"), "data": [r["clients"] for r in mix],
             "backgroundColor": [TIER_COLOURS[r["tier"]] for r in mix]},
        ], plugins={"legend": {"display": False}}),
        "aum_chart": _bar(tier_labels, [
            {"label": _("我行金融资产（万）"), "data": [float(to_wan(r["aum"])) for r in mix],
             "backgroundColor": [TIER_COLOURS[r["tier"]] for r in mix]}], plugins={"legend": {"display": False}}),
        "trend_chart": _json({"type": "line", "data": {
            "labels": [f"{m['month']:%Y-%m}" for m in context["trend"]],
            "datasets": [{"label": _("我行金融资产（万）"), "data": [float(to_wan(m["aum"])) for m in context["trend"]],
                          "borderColor": TIER_COLOURS["head_office"], "backgroundColor": TIER_COLOURS["head_office"]}]},
            "options": {"maintainAspectRatio": False}}),
        "moves_chart": _bar(tier_labels, [
            {"label": _("升级"), "data": [r["upgrades"] for r in moves["by_tier"]],
             "backgroundColor": TIER_COLOURS["branch"]},
            {"label": _("降级"), "data": [r["downgrades"] for r in moves["by_tier"]],
             "backgroundColor": TIER_COLOURS["sub_branch"]}]),
        "funnel_chart": _bar([label for label, _n in funnel_steps], [
            {"label": _("推荐数"), "data": [n for _label, n in funnel_steps],
             "backgroundColor": [TIER_COLOURS["sub_branch"], TIER_COLOURS["branch"], TIER_COLOURS["head_office"]]}],
            plugins={"legend": {"display": False}}),
    })
    if context["head_office"]:
        channels = context["channels"]
        context["channel_chart"] = _bar([c["label"] for c in channels], [
            {"label": _("新增客户"), "data": [c["clients"] for c in channels],
             "backgroundColor": TIER_COLOURS["head_office"]},
            {"label": _("推荐"), "data": [c["referrals"] for c in channels],
             "backgroundColor": TIER_COLOURS["branch"]}])
    return render(request, "performance/dashboard.html", context)
