"""The sheets of the monthly XLSX report, and the writer that lays them out.

Adding a sheet
--------------
A sheet is a *builder*: a function ``builder(month: date) -> Sheet`` that reads already-aggregated figures for
the month (a few GROUP BY queries or a summary table — never a scan that returns one row per client) and
returns its columns, rows and total row. Register it by appending ``(title, builder)`` to :data:`SHEETS`,
in the order the sheets should appear::

    from performance.reports.sheets import SHEETS, Column, Sheet

    def scorecard_sheet(month):
        rows = [...]  # e.g. from the Scorecard model of that period
        return Sheet(columns=[Column(_("顾问"), TEXT, 14), Column(_("综合得分"), NUMBER, 10)], rows=rows)

    SHEETS.insert(2, (_("顾问积分排名"), scorecard_sheet))

The writer gives every sheet the same layout: a title row, the Chinese header row (both frozen), the column
widths and number formats of :class:`Column` (amounts in 万 with ``#,##0.00``, rates as percentages), and the
total row in bold. Amounts are handed over in 元 as ``Decimal`` and divided by 10,000 by the writer only.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import xlsxwriter
from django.db.models import CharField, Count, F, Func, Q, Value
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clients.choices import AcquisitionChannel
from clients.models import Client
from performance.choices import CATALOGUE, Unit
from performance.models import EchelonResult, KpiValue, Scorecard
from performance.reports.models import OrgTierMonth
from performance.reports.summary import local_midnight, month_end, next_month, refresh_tier_summary
from referrals.models import Referral
from referrals.selectors import funnel_groups, with_rates
from tiers.choices import Direction
from tiers.models import TierChange
from wealthcrm.money import WAN
from wealthcrm.org.choices import OrgKind
from wealthcrm.org.models import OrgUnit
from wealthcrm.tiering import Tier

TEXT, COUNT, DECIMAL, WAN_AMOUNT, RATE = "text", "count", "decimal", "wan", "rate"
NUMBER_FORMATS = {TEXT: None, COUNT: "#,##0", DECIMAL: "#,##0.00", WAN_AMOUNT: "#,##0.00", RATE: "0.0%"}


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = COUNT
    width: int = 12


@dataclass
class Sheet:
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    total: list | None = None


# --- by branch ------------------------------------------------------------------------------------------------

def _branch_id(path_field: str) -> Func:
    """The branch an org path lies under (its second segment; empty for the head office itself)."""
    return Func(F(path_field), Value("/"), Value(2), function="split_part", output_field=CharField())


def _keyed_by_branch(rows) -> dict:
    """Rows annotated with ``branch`` (a path segment, ``"000004"``) keyed by branch id; ``None``: head office."""
    return {int(row["branch"]) if row["branch"] else None: row for row in rows}


def _branches() -> list[OrgUnit]:
    return list(OrgUnit.objects.filter(kind=OrgKind.BRANCH).order_by("code"))


def _by_branch_rows(counts: dict, branches: list[OrgUnit], keys: list[str]) -> list[tuple[str, dict]]:
    """(label, figures) per branch, plus a head-office row for records booked at the head office itself."""
    rows = [(unit.name, counts.get(unit.pk, dict.fromkeys(keys, 0))) for unit in branches]
    if None in counts:
        rows.append((_("总行本部"), counts[None]))
    return rows


# --- the sheets -----------------------------------------------------------------------------------------------

TIER_ORDER = [Tier.HEAD_OFFICE, Tier.BRANCH, Tier.SUB_BRANCH]


def tier_summary_sheet(month: date) -> Sheet:
    """层级汇总: per branch, clients and AUM per tier (the :class:`OrgTierMonth` rollup), upgrades, downgrades.

    The summary table is refreshed for the month first, so the sheet matches the month's client-level CSV.
    """
    refresh_tier_summary(month=month)
    summary = defaultdict(dict)
    for row in (OrgTierMonth.objects.filter(month=month).filter(
            Q(org_unit__kind=OrgKind.BRANCH) | Q(org_unit__parent__isnull=True))
            .values("org_unit_id", "org_unit__parent_id", "tier", "clients", "aum")):
        key = None if row["org_unit__parent_id"] is None else row["org_unit_id"]  # None: the bank
        previous = summary[key].get(row["tier"], {"n": 0, "aum": Decimal("0")})
        summary[key][row["tier"]] = {"n": previous["n"] + row["clients"], "aum": previous["aum"] + row["aum"]}
    changes = _keyed_by_branch(
        TierChange.objects.filter(effective_date__gte=month, effective_date__lte=month_end(month)).order_by()
        .annotate(branch=_branch_id("client__org_unit__path")).values("branch")
        .annotate(up=Count("pk", filter=Q(direction=Direction.UPGRADE)),
                  down=Count("pk", filter=Q(direction=Direction.DOWNGRADE))))

    def figures(tiers: dict, moves: dict) -> list:
        cells = []
        for tier in TIER_ORDER:
            cells += [tiers.get(tier, {}).get("n", 0), tiers.get(tier, {}).get("aum", Decimal("0"))]
        cells += [sum(t["n"] for t in tiers.values()), sum((t["aum"] for t in tiers.values()), Decimal("0")),
                  moves.get("up", 0), moves.get("down", 0)]
        return cells

    branches = _branches()
    rows = [[unit.name, *figures(summary[unit.pk], changes.get(unit.pk, {}))] for unit in branches]
    total = figures(summary[None], {"up": sum(r["up"] for r in changes.values()),
                                      "down": sum(r["down"] for r in changes.values())})
    # Clients booked at the head office itself belong to no branch: the rest of the total, shown on its own.
    own = [t - sum(row[i + 1] for row in rows) for i, t in enumerate(total)]
    if any(own):
        rows.append([_("总行本部"), *own])
    columns = [Column(_("分行"), TEXT, 16)]
    for tier in TIER_ORDER:
        label = Tier(tier).label
        columns += [Column(_("%(tier)s客户数") % {"tier": label}, COUNT, 12),
                    Column(_("%(tier)s金融资产（万元）") % {"tier": label}, WAN_AMOUNT, 18)]
    columns += [Column(_("客户总数"), COUNT, 12), Column(_("金融资产合计（万元）"), WAN_AMOUNT, 20),
                Column(_("本月升级"), COUNT, 10), Column(_("本月降级"), COUNT, 10)]
    return Sheet(columns=columns, rows=rows, total=[_("合计"), *total])


FUNNEL_KEYS = ["total", "recommended", "contacted", "signed", "closed", "declined", "breached", "sla_met", "sla_due"]


def referral_funnel_sheet(month: date) -> Sheet:
    """推荐漏斗: referrals recommended in the month, per branch of the referring unit, with the SLA rate.

    The funnel page's counts (``referrals.selectors.funnel_groups``): SLA rate = advisors' turns followed up by
    their deadline ÷ turns followed up or past their deadline; conversion = signed ÷ referrals.
    """
    referrals = (Referral.objects.filter(recommended_at__gte=local_midnight(month),
                                         recommended_at__lt=local_midnight(next_month(month)))
                 .annotate(branch=_branch_id("org_unit__path")))
    counts = _keyed_by_branch(funnel_groups(referrals, group_by=("branch",)))

    def cells(figures: dict) -> list:
        figures = with_rates({key: figures.get(key, 0) for key in FUNNEL_KEYS})
        rates = [None if figures[r] is None else Decimal(str(figures[r])) / 100 for r in ("sla_rate", "conversion")]
        return [figures[key] for key in FUNNEL_KEYS] + rates

    rows = [[label, *cells(figures)] for label, figures in _by_branch_rows(counts, _branches(), FUNNEL_KEYS)]
    total = cells({key: sum(row.get(key, 0) for row in counts.values()) for key in FUNNEL_KEYS})
    columns = [Column(_("分行"), TEXT, 16), Column(_("推荐数"), COUNT, 10), Column(_("待跟进"), COUNT, 10),
               Column(_("已联系"), COUNT, 10), Column(_("已签约"), COUNT, 10), Column(_("已闭环"), COUNT, 10),
               Column(_("未成交"), COUNT, 10), Column(_("超时"), COUNT, 10), Column(_("按时跟进"), COUNT, 10),
               Column(_("应跟进"), COUNT, 10), Column(_("跟进及时率"), RATE, 12), Column(_("签约转化率"), RATE, 12)]
    return Sheet(columns=columns, rows=rows, total=[_("合计"), *total])


def acquisition_channel_sheet(month: date) -> Sheet:
    """获客渠道 (631): new clients of the month and referrals recommended / signed in it, per channel.

    A new client is one created in the month (onboarded, imported or signed from a referral).
    """
    start, over = local_midnight(month), local_midnight(next_month(month))
    new_clients = dict(Client.objects.filter(created_at__gte=start, created_at__lt=over).order_by()
                       .values_list("acquisition_channel").annotate(n=Count("pk")))
    referred = dict(Referral.objects.filter(recommended_at__gte=start, recommended_at__lt=over).order_by()
                    .values_list("channel").annotate(n=Count("pk")))
    signed = dict(Referral.objects.filter(signed_at__gte=start, signed_at__lt=over).order_by()
                  .values_list("channel").annotate(n=Count("pk")))
    channels = [*AcquisitionChannel.choices, ("", _("未标注"))]
    rows = [[str(label), new_clients.get(code, 0), referred.get(code, 0), signed.get(code, 0)]
            for code, label in channels
            if code or new_clients.get(code) or referred.get(code) or signed.get(code)]
    total = [sum(new_clients.values()), sum(referred.values()), sum(signed.values())]
    columns = [Column(_("获客渠道"), TEXT, 14), Column(_("新增客户数"), COUNT, 12), Column(_("推荐数"), COUNT, 10),
               Column(_("推荐签约数"), COUNT, 12)]
    return Sheet(columns=columns, rows=rows, total=[_("合计"), *total])


KPI_KINDS = {Unit.MONEY: WAN_AMOUNT, Unit.RATE: RATE, Unit.COUNT: COUNT, Unit.PER_DAY: DECIMAL}


def scorecard_sheet(month: date) -> Sheet:
    """顾问考核: every scored advisor of the month (一人一表), by rank in the bank, with score, deduction, both ranks
    and each KPI's value (three queries: the scorecards, the KPI values, the role labels come from choices)."""
    cards = list(Scorecard.objects.filter(period=month).select_related("advisor", "org_unit", "branch")
                 .order_by("rank_in_bank", "advisor__username"))
    values = {(advisor, code): value for advisor, code, value in
              KpiValue.objects.filter(period=month).values_list("advisor_id", "kpi", "value")}
    kpis = list(CATALOGUE.values())
    rows = [[card.rank_in_bank, card.rank_in_branch, str(card.advisor), card.advisor.username,
             card.branch.name if card.branch else "", card.org_unit.name, card.get_role_display(), card.score,
             card.deduction, *[values.get((card.advisor_id, kpi.code)) for kpi in kpis]] for card in cards]
    columns = [Column(_("全行排名"), COUNT, 9), Column(_("分行排名"), COUNT, 9), Column(_("顾问"), TEXT, 12),
               Column(_("用户名"), TEXT, 12), Column(_("所属分行"), TEXT, 14), Column(_("所属机构"), TEXT, 16),
               Column(_("角色"), TEXT, 12), Column(_("综合得分"), DECIMAL, 10), Column(_("扣分"), DECIMAL, 8),
               *[Column(kpi.name + ("（万元）" if kpi.unit == Unit.MONEY else ""), KPI_KINDS[kpi.unit], 12)
                 for kpi in kpis]]
    return Sheet(columns=columns, rows=rows)


def echelon_sheet(month: date) -> Sheet:
    """五梯队: org units of each kind ranked by attainment of their client- and AUM-growth targets, with cards."""
    results = (EchelonResult.objects.filter(period=month).select_related("org_unit")
               .order_by("kind", "rank", "org_unit__code"))
    rows = [[OrgKind(r.kind).label, r.org_unit.name, r.rank, r.echelon, r.client_growth, r.aum_growth,
             r.attainment, r.get_card_display() if r.card else ""] for r in results]
    columns = [Column(_("机构层级"), TEXT, 10), Column(_("机构"), TEXT, 16), Column(_("排名"), COUNT, 8),
               Column(_("梯队"), COUNT, 8), Column(_("新增客户"), COUNT, 10), Column(_("资产净增（万元）"), WAN_AMOUNT, 14),
               Column(_("目标达成率"), RATE, 12), Column(_("警示"), TEXT, 8)]
    return Sheet(columns=columns, rows=rows)


# (title, builder) in workbook order. Titles are sheet names: ≤ 31 characters, no []:*?/\ (Excel's rules).
SHEETS: list[tuple[str, Callable[[date], Sheet]]] = [
    (gettext_lazy("层级汇总"), tier_summary_sheet),
    (gettext_lazy("推荐漏斗"), referral_funnel_sheet),
    (gettext_lazy("获客渠道"), acquisition_channel_sheet),
    (gettext_lazy("顾问考核"), scorecard_sheet),
    (gettext_lazy("五梯队"), echelon_sheet),
]


# --- the writer -----------------------------------------------------------------------------------------------

def _cell(value, kind: str):
    if value is None:
        return None
    if kind == WAN_AMOUNT:
        # Exact in Decimal; the float keeps every digit up to 10^9 万 with the fen (15 significant digits).
        return float(Decimal(value) / WAN)
    if kind in (RATE, DECIMAL):
        return float(value)
    return value


def write_workbook(*, month: date, path: str, progress: Callable[[int], None]) -> int:
    """Build every sheet of :data:`SHEETS` for ``month`` into an XLSX at ``path``; returns the data rows written."""
    workbook = xlsxwriter.Workbook(path, {"strings_to_formulas": False, "strings_to_urls": False})
    title_format = workbook.add_format({"bold": True, "font_size": 14})
    header_format = workbook.add_format({"bold": True, "bg_color": "#1F2A44", "font_color": "#FFFFFF",
                                         "text_wrap": True, "valign": "vcenter", "border": 1})
    formats = {kind: workbook.add_format({"num_format": fmt} if fmt else {}) for kind, fmt in NUMBER_FORMATS.items()}
    total_formats = {kind: workbook.add_format({"bold": True, "top": 1, **({"num_format": fmt} if fmt else {})})
                     for kind, fmt in NUMBER_FORMATS.items()}
    rows_written = 0
    try:
        for index, (title, builder) in enumerate(SHEETS):
            sheet = builder(month)
            worksheet = workbook.add_worksheet(str(title))
            worksheet.write_string(0, 0, _("%(year)s年%(month)s月 %(title)s") % {
                "year": month.year, "month": month.month, "title": title}, title_format)
            for col, column in enumerate(sheet.columns):
                worksheet.set_column(col, col, column.width)
                worksheet.write_string(1, col, str(column.header), header_format)
            worksheet.set_row(1, 32)
            worksheet.freeze_panes(2, 1)
            lines = [(row, formats) for row in sheet.rows]
            if sheet.total is not None:
                lines.append((sheet.total, total_formats))
            for offset, (row, cell_formats) in enumerate(lines):
                for col, (value, column) in enumerate(zip(row, sheet.columns, strict=True)):
                    cell = _cell(value, column.kind)
                    if cell is None:
                        worksheet.write_blank(2 + offset, col, None, cell_formats[column.kind])
                    elif column.kind == TEXT:
                        # Written as a string cell: a name starting with "=" stays text, never a formula.
                        worksheet.write_string(2 + offset, col, str(cell), cell_formats[TEXT])
                    else:
                        worksheet.write_number(2 + offset, col, cell, cell_formats[column.kind])
            rows_written += len(sheet.rows)
            progress(100 * (index + 1) // (len(SHEETS) + 1))
    finally:
        workbook.close()
    return rows_written
