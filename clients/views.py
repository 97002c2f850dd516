"""HTML pages of the clients app: list, client 360, create/edit, contact logging (htmx), imports. Thin."""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clients import imports, selectors, services
from clients.choices import ContactPurpose, ImportKind, ImportStatus, ProductCategory
from clients.filters import ClientPageFilterSet
from clients.forms import CallbackPlanForm, ClientForm, ContactForm, ImportForm
from clients.models import CallbackPlan, Client, ImportJob
from wealthcrm.birthdays import next_birthday
from wealthcrm.forms import add_service_errors
from wealthcrm.money import to_wan
from wealthcrm.org.choices import BANK_WIDE_ROLES, CLIENT_DATA_ROLES, MANAGER_ROLES, Role
from wealthcrm.org.decorators import role_required
from wealthcrm.pagination import PAGE_SIZES, count_or_estimate, format_count, keyset_page
from wealthcrm.scoped import scoped_object, scoped_page
from wealthcrm.tiering import TIER_RANK, risk_assessment_validity

PAGE_SIZE = 50
# 总行级 first, as the bank lists its tiers
TIER_ORDER = {tier: -rank for tier, rank in TIER_RANK.items()}


# The sortable columns; each ends in the id (added by the pager), so ties on AUM or name keep one order.
SORTS = {"aum": ("aum",), "name": ("name",), "tier": ("tier_rank", "aum"), "last_contact": ("last_contact",)}


@scoped_page(Client, roles=CLIENT_DATA_ROLES)
@require_GET
def client_list(request, clients):
    filterset = ClientPageFilterSet(request.GET, queryset=clients.select_related("org_unit", "advisor"), request=request)
    matching = filterset.qs if filterset.is_valid() else Client.objects.none()
    rows, links = keyset_page(selectors.with_households(matching.with_sort_keys(), visible=clients), request,
                              size=PAGE_SIZE, sorts=SORTS, sizes=PAGE_SIZES)
    rows = selectors.attach_household_tiers(rows, today=timezone.localdate())
    params = request.GET.copy()
    for key in ("after", "before", "sort", "size"):
        params.pop(key, None)
    return render(request, "clients/list.html", {
        "filter": filterset, "clients": rows, "links": links, "query": params.urlencode(),
        "total": format_count(*count_or_estimate(matching)),
    })


def _birthday_info(client, today):
    if not client.birth_date:
        return None
    upcoming = next_birthday(client.birth_date, today)
    return {"date": upcoming, "days": (upcoming - today).days, "age": upcoming.year - client.birth_date.year}


def _aum_chart(client):
    points = list(client.aum_snapshots.order_by("-as_of").values_list("as_of", "aum")[:24])[::-1]
    if not points:
        return None
    return json.dumps({
        "type": "line",
        "data": {"labels": [d.strftime("%Y-%m") for d, _a in points],
                 "datasets": [{"label": _("我行金融资产（万元）"), "data": [str(to_wan(a)) for _d, a in points],
                               "borderColor": "#b08d57", "backgroundColor": "rgba(176,141,87,.15)", "fill": True,
                               "tension": 0.25}]},
        "options": {"plugins": {"legend": {"display": False}}},
    })


def _contact_context(client, form=None):
    return {"client": client, "contact_form": form or ContactForm(),
            "contacts": client.contacts.select_related("staff")[:20]}


@scoped_page(Client, roles=CLIENT_DATA_ROLES)
@require_GET
def client_detail(request, clients, pk):
    now = timezone.now()
    client = get_object_or_404(selectors.with_households(clients, visible=clients).with_callbacks(now=now)
                               .select_related("org_unit", "advisor", "household", "company",
                                               "company__corporate_manager"), pk=pk)
    selectors.attach_household_tiers([client], today=timezone.localdate(now))
    services.record_client_view(client=client, actor=request.user, request=request, via="page")
    today = timezone.localdate(now)
    members = []
    if client.household_id:
        # Only the members the user may see: a family can span advisors and branches (issue 16).
        members = list(clients.filter(household_id=client.household_id).exclude(pk=client.pk)
                       .only("id", "name", "household_relation").order_by("household_relation", "name"))
    holdings = list(client.sales.values("product_category").annotate(amount=Sum("amount"), fee=Sum("fee_income"),
                                                                     n=Count("id")).order_by("-amount"))
    labels = dict(ProductCategory.choices)
    for row in holdings:
        row["label"] = labels.get(row["product_category"], row["product_category"])
    risk_expires = client.risk_expires_on(risk_assessment_validity(today))
    return render(request, "clients/detail.html", {
        # my day links here to log a contact: ``?purpose=`` preselects why (an unknown one is ignored)
        **_contact_context(client, ContactForm(initial={"purpose": request.GET["purpose"]})
                           if request.GET.get("purpose") in ContactPurpose.values else None),
        "members": members,
        "holdings": holdings,
        "chart": _aum_chart(client),
        "birthday": _birthday_info(client, today),
        "risk_expires": risk_expires,
        "risk_days": (risk_expires - today).days if risk_expires else None,
        "today": today,
        "can_reveal": services.can_reveal(client=client, actor=request.user),
        "can_edit": request.user.effective_role != Role.HALL_STAFF,
    })


@scoped_object(Client, roles=CLIENT_DATA_ROLES)
@require_POST
def contact_create(request, client):
    """Log a contact from the 360 page: htmx swaps in the new timeline entry and a fresh form."""
    form = ContactForm(request.POST)
    contact = None
    if form.is_valid():
        try:
            contact = services.log_contact(client=client, staff=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied:
            form.add_error(None, _("只有客户的管户顾问或负责人可以记录接触。"))
    if not request.htmx:
        if contact:
            messages.success(request, _("接触记录已保存。"))
        else:
            messages.error(request, _("接触记录未保存：%(e)s") % {"e": "; ".join(
                str(m) for msgs in form.errors.values() for m in msgs)})
        return redirect("clients:detail", pk=client.pk)
    context = {"client": client, "contact_form": ContactForm() if contact else form, "new_contact": contact}
    return render(request, "clients/_contact_form.html", context)


@scoped_object(Client, roles=CLIENT_DATA_ROLES)
@require_POST
def reveal(request, client):
    try:
        value = services.reveal_personal_data(client=client, field=request.POST.get("field", ""), actor=request.user,
                                              request=request)
    except ValidationError:
        return HttpResponse(status=400)
    response = render(request, "clients/_revealed.html", {"value": value})
    response["Cache-Control"] = "no-store"
    return response


def _client_form_page(request, *, client=None):
    form = ClientForm(request.POST or None, instance=client, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            if client is None:
                client = services.create_client(actor=request.user, request=request, **form.cleaned_data)
                messages.success(request, _("客户已建立。"))
            else:
                services.update_client(client=client, actor=request.user, request=request, **form.changes())
                messages.success(request, _("客户信息已保存。"))
            return redirect("clients:detail", pk=client.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
    return render(request, "clients/form.html", {"form": form, "client": client})


@role_required(*CLIENT_DATA_ROLES)
def client_create(request):
    return _client_form_page(request)


@scoped_object(Client, roles=CLIENT_DATA_ROLES)
def client_edit(request, client):
    return _client_form_page(request, client=client)


@scoped_page(ImportJob, roles=BANK_WIDE_ROLES)
def import_list(request, jobs):
    """Upload page for head office/admin: the columns each kind takes, templates, past imports (htmx polling)."""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        preview = "preview" in request.POST
        try:
            job = imports.create_import_job(kind=form.cleaned_data["kind"], uploaded_file=form.cleaned_data["file"],
                                            actor=request.user, preview=preview)
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            if preview:
                return redirect("clients:import-detail", pk=job.pk)
            messages.success(request, _("文件已上传，正在后台导入。"))
            return redirect("clients:imports")
    return render(request, "clients/imports.html",
                  {"form": form, "kinds": imports.column_guide(), **_import_rows_context(jobs)})


@scoped_object(ImportJob, roles=BANK_WIDE_ROLES)
def import_detail(request, job):
    """One import: its outcome and every reported error by Chinese column; a preview's first rows, to confirm."""
    if request.method == "POST":
        job = imports.confirm_import(job)
        messages.success(request, _("已确认，正在后台导入。"))
        return redirect("clients:import-detail", pk=job.pk)
    preview = imports.preview_rows(job) if job.preview else None
    return render(request, "clients/import_detail.html", {"job": job, "preview": preview})


@role_required(*BANK_WIDE_ROLES)
@require_GET
def import_template(request, kind):
    """An XLSX with the kind's header row, ID and phone columns formatted as text."""
    if kind not in ImportKind.values:
        raise Http404
    response = HttpResponse(imports.template_xlsx(kind),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="import-{kind}.xlsx"'
    return response


def _import_rows_context(jobs):
    jobs = list(jobs.select_related("created_by")[:30])
    return {"jobs": jobs, "polling": any(j.status in (ImportStatus.PENDING, ImportStatus.RUNNING) for j in jobs)}


@scoped_page(ImportJob, roles=BANK_WIDE_ROLES)
@require_GET
def import_rows(request, jobs):
    return render(request, "clients/_import_rows.html", _import_rows_context(jobs))


@scoped_page(CallbackPlan, roles=MANAGER_ROLES)
def callback_plans(request, plans):
    """回访计划: the bank's defaults per tier and the plans of the branches and sub-branches in scope (another
    branch's are not listed); head office adds defaults, a branch manager their units' plans. Rows are added
    from a day on, never edited."""
    form = CallbackPlanForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.create_callback_plan(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied:
            form.add_error("org_unit", _("全行默认回访计划由总行制定，请选择您的分行或支行。"))
        else:
            messages.success(request, _("已保存：%(plan)s。") % {"plan": plan})
            return redirect("clients:callback-plans")
    today = timezone.localdate()
    plans = plans.select_related("org_unit", "created_by")
    in_force = plans.filter(effective_from__lte=today).order_by("org_unit__path", "tier", "-effective_from").distinct(
        "org_unit__path", "tier")
    return render(request, "clients/callback_plans.html", {
        "form": form, "today": today, "in_force": sorted(in_force, key=lambda p: (p.org_unit_id is not None,
                                                                                  p.org_unit.path if p.org_unit else "",
                                                                                  TIER_ORDER[p.tier])),
        "upcoming": plans.filter(effective_from__gt=today).order_by("effective_from", "id"),
        "history": plans.order_by("-created_at", "-id")[:30]})
