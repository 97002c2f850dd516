"""Demo referral history for ``manage.py seed_demo``: a few hundred referrals over the last four months.

Routed by the real routing service and dated by the real calendar (so SLA deadlines are right); bulk
inserted with their history rather than replayed through ``transition`` (which would mail every step).
Idempotent: does nothing once referrals exist.
"""

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from clients.models import Client
from referrals import services
from referrals.choices import BusinessLine, ClientSource, EventKind, ReferralStatus
from referrals.models import Referral, ReferralAssignment, ReferralEvent
from wealthcrm.calendar.services import next_business_day_close
from wealthcrm.crypto import blind_index
from wealthcrm.demo import chinese_name
from wealthcrm.notifications.choices import NotificationKind
from wealthcrm.notifications.services import notify
from wealthcrm.org.choices import Role
from wealthcrm.org.models import Staff

NOTES = ["理财到期，咨询大额存单", "企业主，有家族信托需求", "他行资金到期，可转入", "咨询子女留学资金安排",
         "拆迁款到账", "关注养老规划", "基金亏损，希望有人讲解", "企业分红到账，公私联动", ""]
DECLINE_REASONS = ["客户资金已转他行", "暂无投资需求", "联系不上客户", "客户仅办理存款"]


def _assets(rng: random.Random) -> Decimal | None:
    roll = rng.random()
    if roll < 0.15:
        return None
    if roll < 0.65:
        wan = rng.randint(50, 1999)
    elif roll < 0.92:
        wan = rng.randint(2000, 9999)
    else:
        wan = rng.randint(10000, 50000)
    return Decimal(wan * 10000)


# 公私联动 from lines other than the referrer's default, and now and then out of private banking.
OTHER_LINES = [BusinessLine.INVESTMENT_BANKING, BusinessLine.SMALL_BUSINESS, BusinessLine.INSTITUTIONAL,
               BusinessLine.INTERNATIONAL, BusinessLine.BANK_CARD]


def _business_line(rng: random.Random, referrer) -> str:
    roll = rng.random()
    if roll < 0.15:
        return rng.choice(OTHER_LINES)
    if roll < 0.25 and referrer.role == Role.ADVISOR:
        return BusinessLine.PRIVATE_BANKING
    return services.default_business_line(referrer)


def _phone(rng):
    return rng.choice(["138", "139", "186", "135", "177"]) + f"{rng.randint(0, 99999999):08d}"


@transaction.atomic
def seed(*, stdout, rng: random.Random, clients: int) -> None:
    if Referral.objects.exists():
        stdout.write(f"  referrals: {Referral.objects.count()} (kept)")
        return
    now = timezone.now()
    referrers = list(Staff.objects.filter(role__in=[Role.HALL_STAFF, Role.ACCOUNT_MANAGER, Role.ADVISOR],
                                          org_unit__isnull=False).select_related("org_unit"))
    if not referrers:
        return
    hall = Staff.objects.filter(username="bj0101_hall").select_related("org_unit").first()
    focus_advisor = Staff.objects.filter(username="bj01_adv1").first()
    client_pool = list(Client.objects.select_related("advisor").order_by("?")[:200])
    due_cache: dict[dt.date, dt.datetime] = {}

    def due_for(moment):
        day = timezone.localtime(moment).date()
        if day not in due_cache:
            due_cache[day] = next_business_day_close(moment)
        return due_cache[day]

    plan = []
    for _ in range(320):
        age = rng.random() ** 1.6 * 120  # more recent than old
        moment = now - dt.timedelta(days=age)
        local = timezone.localtime(moment)
        moment = local.replace(hour=rng.randint(9, 17), minute=rng.randint(0, 59), second=0, microsecond=0)
        if moment > now:
            moment -= dt.timedelta(days=1)
        plan.append((rng.choice(referrers), moment, None))
    if hall and focus_advisor:
        # The demo sign-ins see a live inbox: due today, due tomorrow, breached.
        for hours in (2, 5, 20, 26, 30, 50, 74, 100):
            plan.append((hall, now - dt.timedelta(hours=hours), focus_advisor))

    referrals, history = [], []
    for referrer, moment, advisor in sorted(plan, key=lambda item: item[1]):
        client = rng.choice(client_pool) if client_pool and rng.random() < 0.3 else None
        assets = None if client else _assets(rng)
        if advisor is None:
            try:
                advisor, to_manager = services.route_referral(referrer=referrer, client=client,
                                                              estimated_assets=assets,
                                                              on=timezone.localdate(moment))
            except Exception:  # noqa: BLE001 — a demo bank without a manager somewhere: skip that referral
                continue
        else:
            to_manager = False
        due = due_for(moment)
        line = _business_line(rng, referrer)
        r = Referral(
            referrer=referrer, org_unit=referrer.org_unit, advisor=advisor, routed_to_manager=to_manager,
            channel=services.default_channel(referrer), business_line=line, direction=services.direction_for(line),
            client=client, client_no=client.client_no if client else "",
            client_source=ClientSource.REFERRED if client else "",
            prospect_name="" if client else chinese_name(rng), estimated_assets=assets, note=rng.choice(NOTES),
            recommended_at=moment, sla_due_at=due, status=ReferralStatus.RECOMMENDED,
        )
        if not client:
            r.prospect_phone = _phone(rng)
            r.prospect_phone_hash = blind_index(r.prospect_phone)
        events = [(EventKind.SUBMITTED, referrer, moment, "", ReferralStatus.RECOMMENDED, r.note)]
        on_time = rng.random() < 0.85
        contact_at = (moment + dt.timedelta(hours=rng.uniform(0.5, max((due - moment).total_seconds() / 3600, 1))))
        if not on_time:
            contact_at = due + dt.timedelta(hours=rng.uniform(1, 40))
        if due < now and rng.random() < 0.1:
            contact_at = None  # never followed up
        if contact_at and contact_at < now and not (advisor == focus_advisor and hall and referrer == hall):
            r.status, r.contacted_at = ReferralStatus.CONTACTED, contact_at
            events.append((EventKind.CONTACT, advisor, contact_at, ReferralStatus.RECOMMENDED, r.status,
                           "电话联系，已约面谈"))
            roll = rng.random()
            later = contact_at + dt.timedelta(days=rng.uniform(1, 20))
            if roll < 0.4 and later < now:
                r.status, r.signed_at = ReferralStatus.SIGNED, later
                events.append((EventKind.SIGN, advisor, later, ReferralStatus.CONTACTED, r.status, "签署私行服务协议"))
                closing = later + dt.timedelta(days=rng.uniform(1, 10))
                if rng.random() < 0.6 and closing < now:
                    r.status, r.closed_at = ReferralStatus.CLOSED, closing
                    events.append((EventKind.CLOSE, advisor, closing, ReferralStatus.SIGNED, r.status, "签约后回访"))
            elif roll < 0.65 and later < now:
                r.status, r.declined_at = ReferralStatus.DECLINED, later
                r.decline_reason = rng.choice(DECLINE_REASONS)
                events.append((EventKind.DECLINE, advisor, later, ReferralStatus.CONTACTED, r.status,
                               r.decline_reason))
        r.sla_breached = (r.contacted_at or now) > due
        if r.sla_breached:
            r.breach_notified_at = due + dt.timedelta(minutes=15)
            events.append((EventKind.BREACHED, None, r.breach_notified_at, "", "", ""))
        referrals.append(r)
        history.append(events)
    Referral.objects.bulk_create(referrals, batch_size=500)
    ReferralAssignment.objects.bulk_create([
        ReferralAssignment(referral=r, advisor=r.advisor, assigned_at=r.recommended_at, due_at=r.sla_due_at,
                           followed_up_at=r.contacted_at, breached_at=r.breach_notified_at)
        for r in referrals], batch_size=1000)
    ReferralEvent.objects.bulk_create([
        ReferralEvent(referral=r, kind=kind, actor=actor, created_at=at, from_status=src, to_status=dst, note=note)
        for r, events in zip(referrals, history, strict=True) for kind, actor, at, src, dst, note in events
        if at <= now
    ], batch_size=1000)
    # A few unread notices so the bell has something to show.
    open_for_focus = [r for r in referrals if r.advisor_id == getattr(focus_advisor, "pk", None)
                      and r.status == ReferralStatus.RECOMMENDED][:3]
    for r in open_for_focus:
        notify(recipients=[r.advisor], kind=NotificationKind.REFERRAL_ASSIGNED, title=f"新推荐客户：{r.subject}",
               body=f"{r.referrer} 推荐，请于 {timezone.localtime(r.sla_due_at):%Y-%m-%d %H:%M} 前联系客户。",
               url=services.detail_url(r), email=False)
    manager = Staff.objects.filter(username="bj_mgr").first()
    breached = [r for r in referrals if r.sla_breached and r.status == ReferralStatus.RECOMMENDED
                and manager and r.org_unit.is_within(manager.org_unit)][:3]
    for r in breached:
        notify(recipients=[manager], kind=NotificationKind.REFERRAL_BREACHED,
               title=f"推荐超时未跟进：{r.subject}（{r.advisor}）", url=services.detail_url(r), email=False)
    counts = {s: sum(1 for r in referrals if r.status == s) for s in ReferralStatus.values}
    stdout.write(f"  referrals: {len(referrals)} {counts}, breached {sum(r.sla_breached for r in referrals)}")
