"""HTML pages of the referral loop. Thin: data through ``visible_to``, changes through ``services``."""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Case, Count, IntegerField, Q, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clients.models import without_personal_data
from referrals import selectors, services
from referrals.choices import TRANSITIONS, ReferralAction, ReferralStatus
from referrals.filters import ReferralBoardFilterSet, ReferralFilterSet, funnel_params
from referrals.forms import ReferralForm
from referrals.models import Referral
from wealthcrm.audit import services as audit
from wealthcrm.audit.choices import AuditAction
from wealthcrm.forms import add_service_errors
from wealthcrm.org.choices import MANAGER_ROLES
from wealthcrm.pagination import PAGE_SIZES, count_or_estimate, format_count, keyset_page
from wealthcrm.scoped import scoped_page


def _base(referrals, user):
    """The scoped referrals with ``can_act`` and the joins every referral page shows. The client is shown by name
    and number only: its encrypted ID and phone stay unread, as on the API's list."""
    return without_personal_data(referrals.with_access(user).select_related("referrer", "advisor", "client",
                                                                            "org_unit"), via="client")


def _first_error(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@login_required
def submit(request):
    form = ReferralForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.submit_referral(referrer=request.user, **form.service_kwargs())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            due = timezone.localtime(referral.sla_due_at)
            messages.success(request, _("推荐已提交，已分配给 %(advisor)s，须在 %(due)s 前跟进。")
                             % {"advisor": referral.advisor, "due": f"{due:%m-%d %H:%M}"})
            return redirect("referrals:mine")
    return render(request, "referrals/submit.html", {"form": form})


@scoped_page(Referral)
def mine(request, referrals):
    qs = _base(referrals.referred_by(request.user), request.user).order_by("-id")
    page, links = keyset_page(qs, request, size=30)
    return render(request, "referrals/mine.html", {"page": page, "links": links})


def _row_context(referral, user, **extra):
    # Reassigning picks the advisor in one shared control (includes/_advisor_picker.html), not a list per row.
    context = {"r": referral, "now": timezone.now(), "actions": _actions_for(referral, user),
               "reassignable": TRANSITIONS[ReferralAction.REASSIGN][0],
               "can_reassign": user.has_role(*MANAGER_ROLES)}
    return {**context, **extra}


def _actions_for(referral, user) -> list[dict]:
    if not getattr(referral, "can_act", False):
        return []
    return [{"code": code, "label": ReferralAction(code).label}
            for code, (allowed_from, _to) in TRANSITIONS.items()
            if code != ReferralAction.REASSIGN and referral.status in allowed_from]


DUE_SORT = {"due": ("sla_due_at",)}


@scoped_page(Referral)
def inbox(request, referrals):
    # Not yet contacted first (the clock is running), most urgent on top; then the follow-ups in progress.
    # ``?sort=due`` / ``-due`` orders by the deadline alone.
    mine = referrals.assigned_to(request.user).open()
    counts = mine.aggregate(total=Count("id"), breached=Count("id", filter=Q(sla_breached=True)),
                            awaiting=Count("id", filter=Q(status=ReferralStatus.RECOMMENDED)))
    if request.htmx and request.GET.get("part") == "stats":  # the cards refreshing after a row's action
        return render(request, "referrals/_inbox_stats.html", {"counts": counts})
    qs = _base(mine, request.user).annotate(
        stage=Case(When(status=ReferralStatus.RECOMMENDED, then=0), default=1, output_field=IntegerField()))
    page, links = keyset_page(qs, request, ordering=("stage", "sla_due_at", "id"), size=50, sorts=DUE_SORT,
                              sizes=PAGE_SIZES)
    rows = [_row_context(r, request.user, can_reassign=False) for r in page]
    return render(request, "referrals/inbox.html", {"rows": rows, "counts": counts, "links": links})


BOARD_TABS = {
    "open": _("全部未完成"),
    "due_today": _("今日到期"),
    "breached": _("超时未跟进"),
    "unassigned": _("待分配"),
}


@scoped_page(Referral, roles=MANAGER_ROLES)
def board(request, referrals):
    tab = request.GET.get("tab", "open")
    if tab not in BOARD_TABS:
        tab = "open"
    tab_rows = selectors.board_tab(_base(referrals, request.user).open(), tab, today=timezone.localdate())
    filterset = ReferralBoardFilterSet(request.GET, queryset=tab_rows, request=request)
    qs = filterset.qs if filterset.is_valid() else Referral.objects.none()
    page, links = keyset_page(qs, request, ordering=("sla_due_at", "id"), size=50, sorts=DUE_SORT, sizes=PAGE_SIZES)
    rows = [_row_context(r, request.user) for r in page]
    keep = request.GET.copy()
    for key in ("tab", "after", "before"):
        keep.pop(key, None)
    return render(request, "referrals/board.html", {"rows": rows, "links": links, "tab": tab, "tabs": BOARD_TABS,
                                                    "filter": filterset, "keep": keep.urlencode(),
                                                    "total": format_count(*count_or_estimate(qs))})


@scoped_page(Referral)
def detail(request, referrals, pk):
    referral = get_object_or_404(_base(referrals, request.user), pk=pk)
    context = _row_context(referral, request.user)
    if referral.advisor_id == request.user.pk and referral.prospect_phone:
        # The assigned advisor sees the prospect's full number to call them: personal data, so audited.
        audit.record(action=AuditAction.VIEW, actor=request.user, obj=referral, client=referral.client_id,
                     detail={"fields": ["prospect_phone"]}, request=request)
    if referral.can_act:
        context["events"] = referral.events.select_related("actor")
        context["turns"] = referral.assignments.select_related("advisor")
    return render(request, "referrals/detail.html", context)


@scoped_page(Referral)
@require_POST
def act(request, referrals, pk, action):
    if action not in ReferralAction.values:
        raise Http404
    payload = {"note": request.POST.get("note", "")}
    if action == ReferralAction.CONTACT:
        payload["channel"] = request.POST.get("channel") or None
    elif action == ReferralAction.SIGN:
        payload["client_no"] = request.POST.get("client_no", "")
    elif action == ReferralAction.DECLINE:
        payload = {"reason": request.POST.get("reason", "")}
    elif action == ReferralAction.REASSIGN:
        payload = {"advisor": request.POST.get("advisor") or None}
    error = None
    try:
        services.transition(referral_id=pk, action=action, actor=request.user, **payload)
    except Referral.DoesNotExist:
        raise Http404 from None
    except services.TransitionNotAllowed as exc:
        error = str(exc)
    except ValidationError as exc:
        error = _first_error(exc)
    referral = get_object_or_404(_base(referrals, request.user), pk=pk)
    if request.htmx:
        template = request.POST.get("row") or "inbox"
        templates = {"inbox": "referrals/_inbox_row.html", "board": "referrals/_board_row.html",
                     "detail": "referrals/_detail_actions.html"}
        response = render(request, templates.get(template, templates["inbox"]),
                          _row_context(referral, request.user, error=error))
        if not error:
            # Cards counting referrals (the inbox's) listen for this and reload themselves.
            response["HX-Trigger"] = "referral-changed"
        return response
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("已更新：%(status)s") % {"status": referral.get_status_display()})
    return redirect("referrals:detail", pk=pk)


@scoped_page(Referral, roles=MANAGER_ROLES)
def funnel(request, referrals):
    filterset = ReferralFilterSet(funnel_params(request.GET, timezone.localdate()), queryset=referrals,
                                  request=request)
    qs = filterset.qs if filterset.is_valid() else Referral.objects.none()
    rows, linkage = selectors.funnel_tables(qs)
    totals = selectors.with_rates({key: sum(row[key] for row in rows) for key in selectors.FUNNEL_COUNTS})
    return render(request, "referrals/funnel.html", {"rows": rows, "totals": totals, "filterset": filterset,
                                                     "linkage": linkage})
