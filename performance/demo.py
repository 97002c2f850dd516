"""Demo performance data for ``manage.py seed_demo``: client onboarding dates, outflows at two idle outlets
(their red card), complaints, analysis meetings (one branch missed last month), today's calls, then the recompute.

Idempotent: each part is added once (keyed by what it creates); the recompute is an upsert.
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from clients.models import AumSnapshot, Client, Contact
from performance import services
from performance.models import AnalysisMeeting, Complaint
from wealthcrm.org.choices import OrgKind, Role
from wealthcrm.org.models import OrgUnit, Staff

DEMO_NOTE = "演示数据"
# Outlets that onboarded nobody in the last two months: the bottom of the echelon table, hence the red card.
IDLE_OUTLETS = ("SZ0302", "SH0202")
MISSED_MEETING_BRANCH = "SZ"
OUTFLOW_BELOW = Decimal("6000000.00")


def _first_instant(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


@transaction.atomic
def _onboarding_dates(rng, this_month: services.Period) -> int:
    """Demo clients are created "today"; date them from their first AUM snapshot, and let a few per unit join
    in each of the last two months (none in the idle outlets) so growth and echelons differ between units."""
    demo = Client.objects.filter(client_no__startswith="D")
    if not demo.filter(created_at__gte=this_month.start_at).exists() or demo.filter(
            created_at__lt=this_month.previous.start_at).exists():
        return 0  # already dated
    firsts = dict(demo.annotate(first=Min("aum_snapshots__as_of")).values_list("pk", "first"))
    idle = set(OrgUnit.objects.filter(code__in=IDLE_OUTLETS).values_list("pk", flat=True))
    rows = list(demo.only("pk", "org_unit_id"))
    appetite = {unit: rng.uniform(0.0, 0.08) for unit in {c.org_unit_id for c in rows}}
    months = [this_month.previous, this_month]
    today = timezone.localdate()
    for client in rows:
        joined = firsts.get(client.pk) or this_month.previous.previous.start
        if client.org_unit_id not in idle and rng.random() < appetite[client.org_unit_id]:
            month = rng.choice(months)
            last = min(month.end, today)
            joined = month.start + dt.timedelta(days=rng.randint(0, (last - month.start).days))
        client.created_at = _first_instant(joined)
    Client.objects.bulk_update(rows, ["created_at"], batch_size=2000)
    return len(rows)


def _outflows(this_month: services.Period) -> int:
    """One client of each idle outlet has been moving money out for two months: the snapshots of the two month
    ends before last are raised (3× and 2× today's balance), so today's balance and tiers stay as they are."""
    moved = 0
    for code in IDLE_OUTLETS:
        # small enough that 3× stays below the near-threshold band: the tier history stays true
        client = (Client.objects.filter(org_unit__code=code, client_no__startswith="D", aum__lt=OUTFLOW_BELOW)
                  .order_by("-aum").first())
        if client is None:
            continue
        for factor, month in ((3, this_month.previous.previous.previous), (2, this_month.previous.previous)):
            moved += AumSnapshot.objects.filter(client=client, as_of=month.end).update(aum=client.aum * factor)
    return moved


def _complaints(rng, this_month: services.Period) -> int:
    if Complaint.objects.filter(note__startswith=DEMO_NOTE).exists():
        return 0
    managers = {s.org_unit_id: s for s in Staff.objects.filter(role=Role.BRANCH_MANAGER)}
    clients = list(Client.objects.filter(client_no__startswith="D", advisor__isnull=False)
                   .select_related("advisor__org_unit")[:400])
    picked = rng.sample(clients, min(12, len(clients)))
    for i, client in enumerate(picked):
        month = this_month if i % 2 else this_month.previous
        complaint = Complaint.objects.create(
            client=client, advisor=client.advisor,
            received_on=month.start + dt.timedelta(days=rng.randint(0, max(0, min(month.end, timezone.localdate()).day - 1))),
            note=f"{DEMO_NOTE}：" + rng.choice(["理财到期未及时提醒", "电话过于频繁", "产品风险揭示不充分", "预约后未按时到访"]))
        manager = managers.get(client.advisor.org_unit.parent_id) or managers.get(client.advisor.org_unit_id)
        if manager and i % 3:
            services.decide_complaint(complaint=complaint, actor=manager, valid=i % 3 == 1)
    return len(picked)


def _meetings(rng, this_month: services.Period) -> int:
    if AnalysisMeeting.objects.filter(notes__startswith=DEMO_NOTE).exists():
        return 0
    added = 0
    for branch in OrgUnit.objects.filter(kind=OrgKind.BRANCH):
        attendees = list(Staff.objects.filter(org_unit=branch, role__in=[Role.ADVISOR, Role.BRANCH_MANAGER]))
        clients = list(Client.objects.filter(org_unit=branch).order_by("-aum")[:5])
        month = this_month.previous.previous
        for _ in range(3):
            skip = branch.code == MISSED_MEETING_BRANCH and month == this_month.previous
            if not skip and month.start <= timezone.localdate():
                meeting = AnalysisMeeting.objects.create(
                    org_unit=branch, held_on=month.start + dt.timedelta(days=rng.randint(5, 20)) if month != this_month
                    else month.start, notes=f"{DEMO_NOTE}：研讨临界提级客户与到期资金承接方案")
                meeting.attendees.set(attendees)
                meeting.clients.set(clients)
                added += 1
            month = month.next
    return added


def _calls_today(rng) -> int:
    """Some effective calls for the demo advisor today, so "my day" shows progress against the 20."""
    advisor = Staff.objects.filter(username="bj01_adv1").first()
    if advisor is None:
        return 0
    start = _first_instant(timezone.localdate()).replace(hour=9)
    if Contact.objects.filter(staff=advisor, occurred_at__gte=start.replace(hour=0)).exists():
        return 0
    clients = list(Client.objects.filter(advisor=advisor)[:12])
    now = timezone.now()
    Contact.objects.bulk_create([
        Contact(client=client, staff=advisor, channel="phone", purpose="callback_satisfaction",
                occurred_at=min(start + dt.timedelta(minutes=17 * i), now), summary=f"{DEMO_NOTE}：电话回访")
        for i, client in enumerate(clients)])
    return len(clients)


def seed(*, stdout, rng, clients) -> None:
    this_month = services.Period.of(timezone.localdate())
    dated = _onboarding_dates(rng, this_month)
    if dated:  # once, with the onboarding dates
        _outflows(this_month)
    complaints, meetings, calls = _complaints(rng, this_month), _meetings(rng, this_month), _calls_today(rng)
    result = services.recompute_scorecards([this_month.previous.previous, this_month.previous, this_month])
    stdout.write(f"  performance: {dated} onboarding dates, {complaints} complaints, {meetings} meetings, "
                 f"{calls} calls today; scorecards {', '.join(result['periods'])}: {result['scorecards']}")
