"""Read side of the scorecards: KPI figures as the API and pages show them, the radar of the five dimensions,
strengths and weaknesses in plain Chinese, the 12-month trend, and the rows behind each figure."""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from clients.choices import ProductCategory
from clients.models import Client, Contact, ProductSale
from performance.choices import CATALOGUE, Dimension, KpiCode, Unit
from performance.choices import Direction as KpiDirection
from performance.models import Complaint, KpiValue, Scorecard
from performance.services import Period, targets_in_force
from referrals.choices import ClientSource
from referrals.models import Referral, ReferralAssignment, sla_counted_q
from tiers.choices import Direction
from tiers.models import TierChange

CENT = Decimal("0.01")
ROWS_LIMIT = 200


def api_value(code: str, value: Decimal):
    """API.md: money as a decimal string with 2 places, rates and averages as numbers, counts as integers."""
    unit = CATALOGUE[code].unit
    if unit == Unit.MONEY:
        return str(value.quantize(CENT, ROUND_HALF_UP))
    if unit == Unit.COUNT:
        return int(value)
    return float(value)


def kpi_maps(scorecards) -> dict[tuple[int, object], dict[str, Decimal]]:
    """(advisor id, period) → {code: value} for the given scorecards, in one query."""
    cards = list(scorecards)
    if not cards:
        return {}
    q = Q()
    for period in {c.period for c in cards}:
        q |= Q(period=period, advisor_id__in=[c.advisor_id for c in cards if c.period == period])
    maps = {(c.advisor_id, c.period): {} for c in cards}
    for advisor_id, period, kpi, value in KpiValue.objects.filter(q).values_list("advisor_id", "period", "kpi", "value"):
        maps[(advisor_id, period)][kpi] = value
    return maps


def ratio(value: Decimal, target: Decimal | None) -> Decimal | None:
    return (value / target) if target else None


def lines(scorecard: Scorecard, values: dict[str, Decimal]) -> list[dict]:
    """One line per KPI: value, target, weight, attainment and the points it gives (as the score computes them)."""
    period = Period(scorecard.period)
    targets = targets_in_force(period)
    result = []
    for code, kpi in CATALOGUE.items():
        value = values.get(code, Decimal(0))
        target = targets.get((scorecard.role, code))
        attained = ratio(value, target.target) if target else None
        points = (target.weight * max(Decimal(0), min(attained, target.cap))) if target else None
        result.append({"code": code, "name": kpi.name, "unit": kpi.unit, "dimension": kpi.dimension,
                       "dimension_label": Dimension(kpi.dimension).label, "value": value,
                       "target": target.target if target else None, "weight": target.weight if target else None,
                       "cap": target.cap if target else None, "attainment": attained,
                       "points": points.quantize(CENT) if points is not None else None,
                       "lower_is_better": kpi.direction == KpiDirection.LOWER_IS_BETTER})
    return result


def radar(kpi_lines: list[dict]) -> list[dict]:
    """Per dimension: the average attainment (0–100 %, capped at 100) of its targeted KPIs; complaints pull
    客户营销 down (each valid complaint −20 points of that axis)."""
    axes = []
    for dimension in Dimension:
        scored = [min(line["attainment"], 1) for line in kpi_lines
                  if line["dimension"] == dimension and line["attainment"] is not None]
        percent = Decimal(100) * sum(scored) / len(scored) if scored else Decimal(0)
        if dimension == Dimension.CLIENT_MARKETING:
            complaints = next(line["value"] for line in kpi_lines if line["code"] == KpiCode.COMPLAINTS)
            percent -= 20 * complaints
        axes.append({"dimension": dimension, "label": dimension.label,
                     "percent": float(max(Decimal(0), percent).quantize(Decimal("0.1")))})
    return axes


def strengths_and_weaknesses(kpi_lines: list[dict], axes: list[dict]) -> dict:
    """Plain-Chinese reading of the figures: the strongest and weakest dimensions and KPIs."""
    ordered = sorted(axes, key=lambda a: a["percent"], reverse=True)
    targeted = [line for line in kpi_lines if line["attainment"] is not None]
    best = sorted(targeted, key=lambda line: line["attainment"], reverse=True)
    strengths, weaknesses = [], []
    for axis in ordered[:2]:
        if axis["percent"] >= 80:
            strengths.append(f"{axis['label']}表现突出，目标达成约 {axis['percent']:.0f}%。")
    for line in best[:3]:
        if line["attainment"] >= 1:
            strengths.append(f"{line['name']}完成目标的 {100 * line['attainment']:.0f}%。")
    for axis in ordered[::-1][:2]:
        if axis["percent"] < 60:
            weaknesses.append(f"{axis['label']}偏弱，目标达成仅约 {axis['percent']:.0f}%，建议重点提升。")
    for line in best[::-1][:3]:
        if line["attainment"] < Decimal("0.6"):
            weaknesses.append(f"{line['name']}仅完成目标的 {100 * max(line['attainment'], 0):.0f}%。")
    complaints = next(line["value"] for line in kpi_lines if line["code"] == KpiCode.COMPLAINTS)
    if complaints:
        weaknesses.append(f"本月有 {int(complaints)} 件有效投诉，已扣分，请关注服务质量。")
    if not strengths:
        strengths.append("本月暂无明显优势指标，继续保持客户接触节奏。")
    if not weaknesses:
        weaknesses.append("各项指标均达到目标的六成以上，暂无明显短板。")
    return {"strengths": strengths, "weaknesses": weaknesses}


def trend(advisor, period: Period, months: int = 12) -> list[Scorecard]:
    """The advisor's scorecards of the ``months`` months up to ``period`` (computed months only)."""
    first = period.start
    for _ in range(months - 1):
        first = Period(first).previous.start
    return list(Scorecard.objects.filter(advisor=advisor, period__gte=first, period__lte=period.start)
                .order_by("period"))


# --- the rows behind a figure --------------------------------------------------------------------------------

def _between(field: str, period: Period) -> dict:
    return {f"{field}__gte": period.start_at, f"{field}__lt": period.end_at}


def kpi_rows(advisor, period: Period, code: str) -> dict:
    """The records that make one KPI value (PRODUCT.md "explainable numbers"), at most ``ROWS_LIMIT``.

    Returns ``{"kind": contacts|clients|tier_changes|referrals|sales|complaints, "rows": [...], "note": ...}``;
    the same rules as the SQL in ``services.KPI_SQL``.
    """
    book = Client.objects.filter(advisor=advisor, created_at__lt=period.end_at)
    effective = Contact.objects.filter(effective=True, **_between("occurred_at", period))
    signed = Referral.objects.filter(**_between("signed_at", period))
    if code in (KpiCode.EFFECTIVE_CONTACTS, KpiCode.CALLS_PER_BUSINESS_DAY):
        rows = effective.filter(staff=advisor).select_related("client")
        if code == KpiCode.CALLS_PER_BUSINESS_DAY:
            rows = rows.filter(channel="phone")
        kind = "contacts"
    elif code in (KpiCode.AUM_GROWTH, KpiCode.COVERAGE_RATE, KpiCode.CALLBACK_COMPLIANCE):
        # the client list, each marked with whether it was reached in the period (coverage, callbacks)
        rows = book.annotate(reached=Exists(effective.filter(client=OuterRef("pk")))).order_by("-aum")
        kind = "clients"
    elif code == KpiCode.NEW_CLIENTS:
        linked = signed.filter(advisor=advisor, client_source=ClientSource.LINKED).values("client_id")
        rows = book.filter(Q(**_between("created_at", period)) | Q(pk__in=linked))
        kind = "clients"
    elif code == KpiCode.TIER_UPGRADES:
        rows = (TierChange.objects.filter(client__advisor=advisor, direction=Direction.UPGRADE,
                                          effective_date__range=(period.start, period.end)).select_related("client"))
        kind = "tier_changes"
    elif code == KpiCode.REFERRALS_MADE:
        rows = signed.filter(Q(referrer=advisor) | Q(advisor=advisor)).select_related("referrer", "advisor", "client")
        kind = "referrals"
    elif code == KpiCode.REFERRAL_CONVERSION:
        rows = (Referral.objects.filter(advisor=advisor)
                .filter(Q(**_between("signed_at", period)) | Q(**_between("declined_at", period)))
                .select_related("referrer", "advisor", "client"))
        kind = "referrals"
    elif code == KpiCode.REFERRAL_SLA_RATE:
        # the referrals on which the advisor had a turn due in the period (a reassigned one counts for both)
        turns = ReferralAssignment.objects.filter(sla_counted_q(timezone.now()), advisor=advisor,
                                                  **_between("due_at", period))
        rows = Referral.objects.filter(pk__in=turns.values("referral_id")).select_related(
            "referrer", "advisor", "client")
        kind = "referrals"
    elif code in (KpiCode.PRODUCT_ALLOCATION, KpiCode.FEE_INCOME):
        rows = (ProductSale.objects.filter(sold_on__range=(period.start, period.end))
                .filter(Q(advisor=advisor) | Q(advisor__isnull=True, client__advisor=advisor))
                .select_related("client"))
        if code == KpiCode.PRODUCT_ALLOCATION:
            rows = rows.exclude(product_category=ProductCategory.DEPOSIT)
        kind = "sales"
    elif code == KpiCode.PRODUCT_COVERAGE:
        rows = book.filter(sales__sold_on__lte=period.end).distinct()
        kind = "clients"
    else:
        rows = (Complaint.objects.filter(advisor=advisor, received_on__range=(period.start, period.end))
                .select_related("client", "decided_by"))
        kind = "complaints"
    return {"kind": kind, "rows": list(rows[:ROWS_LIMIT]), "limit": ROWS_LIMIT}
