"""Read models behind the role home pages: the advisor's "my day" and the managers' overview.

Every figure comes from a scoped queryset (``visible_to``) and a fixed number of aggregate queries, so the
pages cost the same for an advisor with 30 clients and a head office looking at a million.
"""

import datetime as dt

from django.db.models import (
    Count,
    DateField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth
from django.utils import timezone

from clients.models import FOLLOW_UP_LOOKBACK_DAYS, Client, Contact, ProductSale, without_personal_data
from performance.choices import DAILY_CALL_TARGET
from referrals.choices import ReferralStatus
from referrals.models import Referral
from referrals.selectors import due_later_today_q
from tiers.selectors import tier_mix_rows
from wealthcrm.birthdays import birthdays_within_q
from wealthcrm.org.choices import CLIENT_DATA_ROLES
from wealthcrm.org.models import OrgUnit
from wealthcrm.tiering import Tier, risk_assessment_validity

LIST_SIZE = 8
BIRTHDAY_WINDOW_DAYS = 7
RISK_EXPIRY_WINDOW_DAYS = 30
# Term products maturing within this many days: the advisor calls before the money comes free.
MATURITY_WINDOW_DAYS = 30


def tier_mix(user) -> list[dict]:
    """Count and AUM per tier, in tier order, of the clients booked in the org units the user may look up: the
    tier recompute's counts per unit (``tiers.selectors.tier_mix_rows``), not a GROUP BY over the clients."""
    rows = tier_mix_rows(OrgUnit.objects.visible_to(user))
    totals = {tier: {"n": 0, "aum": 0} for tier in Tier.values}
    for row in rows:
        totals[row["tier"]]["n"] += row["n"]
        totals[row["tier"]]["aum"] += row["aum_total"] or 0
    return [{"tier": tier, "label": label, **totals[tier]} for tier, label in Tier.choices]


def my_day(user, *, today: dt.date | None = None) -> dict:
    """The relationship manager's working list: referrals due, callbacks due (scheduled follow-ups and the
    plans' callbacks: routine, large-sale, satisfaction), products maturing within 30 days, birthdays, risk
    expiries, near-threshold clients."""
    now = timezone.now()
    today = today or timezone.localdate()
    # The lists name clients; none shows an ID or phone number.
    clients = without_personal_data(Client.objects.visible_to(user))
    referrals = without_personal_data(Referral.objects.assigned_to(user).filter(status=ReferralStatus.RECOMMENDED)
                                      .select_related("client", "referrer").order_by("sla_due_at"), via="client")
    end_of_today = timezone.make_aware(dt.datetime.combine(today, dt.time.max))
    callbacks = without_personal_data(Contact.objects.visible_to(user)
                                      .filter(next_action_at__lte=end_of_today,
                                              next_action_at__gte=now - dt.timedelta(days=FOLLOW_UP_LOOKBACK_DAYS))
                                      .select_related("client").order_by("next_action_at"), via="client")
    birthdays = (clients.exclude(birth_date__isnull=True)
                 .annotate(birth_month=ExtractMonth("birth_date"), birth_day=ExtractDay("birth_date"))
                 .filter(birthdays_within_q(today, BIRTHDAY_WINDOW_DAYS)).order_by("birth_month", "birth_day"))
    validity = risk_assessment_validity(today)
    if validity is None:  # no tier policy in force: nothing to expire against
        risk_expiring = clients.none()
    else:
        expiring_before = today - validity + dt.timedelta(days=RISK_EXPIRY_WINDOW_DAYS)
        risk_expiring = (clients.filter(risk_assessed_on__isnull=False, risk_assessed_on__lte=expiring_before)
                         .annotate(risk_expiry=ExpressionWrapper(F("risk_assessed_on") + validity.days,
                                                                     output_field=DateField()))
                         .order_by("risk_assessed_on"))
    near_threshold = clients.filter(near_threshold=True).order_by("-aum")
    maturing = without_personal_data(
        ProductSale.objects.filter(client__in=clients, matures_on__gte=today,
                                   matures_on__lte=today + dt.timedelta(days=MATURITY_WINDOW_DAYS))
        .select_related("client").order_by("matures_on", "id"), via="client")
    # a large sale's callback has a deadline days away: it goes first, the earliest deadline on top
    planned = clients.callback_due(now=now).order_by(F("large_sale_due_on").asc(nulls_last=True),
                                                     F("last_effective_contact").asc(nulls_first=True), "id")
    planned_short, planned_n = _short_list(planned, due=Count("id"))
    maturing_short, maturing_n = _short_list(maturing, due=Count("id"))
    referrals_short, referral_n = _short_list(referrals, open=Count("id"),
                                              breached=Count("id", filter=Q(sla_breached=True)))
    return {
        "totals": clients.aggregate(n=Count("id"), aum=Coalesce(Sum("aum"), Value(0), output_field=DecimalField())),
        "referrals": referrals_short,
        "referrals_breached": referral_n["breached"],
        "referrals_open": referral_n["open"],
        "callbacks": list(callbacks[:LIST_SIZE]),
        "callbacks_planned": planned_short,
        "callbacks_planned_total": planned_n["due"],
        "birthdays": list(birthdays[:LIST_SIZE]),
        "risk_expiring": list(risk_expiring[:LIST_SIZE]),
        "near_threshold": list(near_threshold[:LIST_SIZE]),
        "maturing": maturing_short,
        "maturing_total": maturing_n["due"],
        "calls": calls_today(user, now=now),
        "today": today,
        "now": now,
    }


def _short_list(queryset, **counts) -> tuple[list, dict]:
    """The first ``LIST_SIZE`` rows of ``queryset`` and ``counts`` (aggregates) over all its rows, in one query:
    each count rides on the short list's rows as a window over the whole list, so the list's rule is evaluated
    once (the callback rule's sub-plans are the costly part of "my day")."""
    windows = {f"{name}_over_all": Window(aggregate) for name, aggregate in counts.items()}
    rows = list(queryset.annotate(**windows)[:LIST_SIZE])
    return rows, {name: getattr(rows[0], f"{name}_over_all") if rows else 0 for name in counts}


def calls_today(user, *, now=None) -> dict:
    """规定动作 (2053): today's effective phone calls of the user against the daily 20."""
    now = now or timezone.now()
    start = timezone.make_aware(dt.datetime.combine(timezone.localdate(now), dt.time.min))
    made = Contact.objects.filter(staff=user, effective=True, channel="phone", occurred_at__gte=start,
                                  occurred_at__lt=start + dt.timedelta(days=1)).count()
    return {"made": made, "target": DAILY_CALL_TARGET, "left": max(DAILY_CALL_TARGET - made, 0),
            "percent": min(100, round(100 * made / DAILY_CALL_TARGET))}


def missed_meetings(user, today: dt.date) -> list[dict]:
    """Branch private-banking centres in scope without a client analysis meeting (客户分析会) last month, or
    none yet this month: one query over the branches with two EXISTS."""
    from performance.models import AnalysisMeeting
    from performance.services import Period

    this_month = Period.of(today)
    last_month = this_month.previous

    def held(period):
        return Exists(AnalysisMeeting.objects.filter(org_unit=OuterRef("pk"),
                                                     held_on__range=(period.start, period.end)))

    branches = (OrgUnit.objects.visible_to(user).filter(kind="branch")
                .annotate(held_last=held(last_month), held_this=held(this_month),
                          last_held=Max("analysis_meetings__held_on")).order_by("path"))
    return [{"unit": b, "missed_last_month": not b.held_last, "none_this_month": not b.held_this,
             "last_held": b.last_held, "last_month": last_month}
            for b in branches if not (b.held_last and b.held_this)]


def manager_overview(user, *, today: dt.date | None = None) -> dict:
    """What a branch manager or head office steers by: tier mix, referral SLA, work overdue."""
    today = today or timezone.localdate()
    now = timezone.now()
    referrals = Referral.objects.visible_to(user)
    open_referrals = referrals.filter(status=ReferralStatus.RECOMMENDED)
    counts = open_referrals.aggregate(
        open=Count("id"),
        breached=Count("id", filter=Q(sla_breached=True)),
        due_today=Count("id", filter=due_later_today_q(now)),
    )
    return {
        "tier_mix": tier_mix(user),
        "referral_counts": counts,
        "breached": list(open_referrals.filter(sla_breached=True).select_related("advisor", "referrer")
                         .order_by("sla_due_at")[:LIST_SIZE]),
        "today": today,
        "now": now,
    }


def hall_overview(user) -> dict:
    """Hall staff: the status of what they referred (no client data)."""
    mine = Referral.objects.referred_by(user)
    by_status = dict(mine.order_by().values_list("status").annotate(n=Count("id")))
    return {
        "referrals": list(mine.select_related("advisor").order_by("-recommended_at")[:LIST_SIZE]),
        "by_status": by_status,
        # all of them, not the length of the short list shown below (8)
        "total": sum(by_status.values()),
    }


SEARCH_LIMIT = 20


def search(user, *, clients, referrals, text: str) -> dict:
    """The header search over the user's scoped ``clients`` and ``referrals``: clients by any part of the name or
    number or an exact phone, referrals by prospect or client; a referrer who may not see a client is shown only
    the masked surname."""
    text = text.strip()[:50]
    found = {"q": text, "clients": [], "referrals": [], "limit": SEARCH_LIMIT,
             "shows_clients": user.effective_role in CLIENT_DATA_ROLES}
    if not text:
        return found
    found["clients"] = list(clients.search(text).select_related("org_unit", "advisor")[:SEARCH_LIMIT])
    named = Client.objects.search(text).values("pk")
    found["referrals"] = list(referrals.with_access(user)
                              .filter(Q(prospect_name__icontains=text) | Q(client__in=named))
                              .select_related("client", "advisor").order_by("-recommended_at")[:SEARCH_LIMIT])
    return found
