"""The XLSX report: its sheets open in openpyxl, and every figure reconciles with the database to the fen.

The expected figures are recomputed here straight from clients, tier changes and referrals — not from the
summary table or the selectors the report itself uses.
"""

from decimal import Decimal

import openpyxl
import pytest

from clients.choices import AcquisitionChannel
from clients.models import Client
from performance.reports import summary
from performance.reports.sheets import SHEETS
from referrals.models import Referral
from tests.reports.conftest import PAST
from tiers.models import TierChange
from wealthcrm.tiering import Tier

pytestmark = pytest.mark.django_db

TIERS = [Tier.HEAD_OFFICE, Tier.BRANCH, Tier.SUB_BRANCH]


def open_book(report):
    return openpyxl.load_workbook(report.file.path)


def body(sheet) -> dict[str, tuple]:
    """Data and total rows (below the title and header rows) keyed by their first cell."""
    return {row[0]: row[1:] for row in sheet.iter_rows(min_row=3, values_only=True)}


def fen(wan) -> Decimal:
    """A cell in 万 back to 元: exact to the fen, or the reconciliation fails."""
    return (Decimal(repr(wan)) * 10000).quantize(Decimal("0.01"))


def expected_tiers(clients) -> list:
    cells = []
    for tier in TIERS:
        chosen = [c for c in clients if c.tier == tier]
        cells += [len(chosen), sum((c.aum for c in chosen), Decimal("0.00"))]
    return cells + [len(clients), sum((c.aum for c in clients), Decimal("0.00"))]


def as_figures(row) -> list:
    return [fen(v) if i % 2 else v for i, v in enumerate(row[:8])]


def test_sheets_have_chinese_names_frozen_headers_and_formats(book, build):
    workbook = open_book(build(summary.current_month(), "xlsx"))
    assert workbook.sheetnames == [str(title) for title, _ in SHEETS] == ["层级汇总", "推荐漏斗", "获客渠道", "顾问考核", "五梯队"]
    sheet = workbook["层级汇总"]
    assert sheet.freeze_panes == "B3"
    assert sheet["A2"].value == "分行" and sheet["C2"].value == "总行级金融资产（万元）"
    assert sheet["C3"].number_format == "#,##0.00"
    assert sheet.column_dimensions["A"].width > 10
    assert workbook["推荐漏斗"]["K2"].value == "跟进及时率"


def test_tier_summary_reconciles_with_the_clients_to_the_fen(book, bank, build):
    rows = body(open_book(build(summary.current_month(), "xlsx"))["层级汇总"])
    everyone = list(Client.objects.all())
    for branch in (bank.north, bank.south):
        clients = [c for c in everyone if c.org_unit.path.startswith(branch.path)]
        assert as_figures(rows[branch.name]) == expected_tiers(clients)
    assert as_figures(rows["总行本部"]) == expected_tiers([c for c in everyone if c.org_unit_id == bank.ho.pk])
    assert as_figures(rows["合计"]) == expected_tiers(everyone)
    assert fen(rows["合计"][7]) == Decimal("227833347.17")


def test_past_month_moves_are_counted_per_branch(book, bank, build):
    rows = body(open_book(build(PAST, "xlsx"))["层级汇总"])
    march = TierChange.objects.filter(effective_date__year=2025, effective_date__month=3)
    for label, unit_path in [(bank.north.name, bank.north.path), (bank.south.name, bank.south.path)]:
        moves = march.filter(client__org_unit__path__startswith=unit_path)
        assert rows[label][8:] == (moves.filter(direction="upgrade").count(),
                                   moves.filter(direction="downgrade").count())
    assert rows["总行本部"][8:] == (1, 0) and rows["合计"][8:] == (1, 1)
    # the month-end tiers and AUM of March 2025, not today's
    assert rows[bank.north.name][:4] == (0, 0, 1, 30000000 / 10000)


def test_referral_funnel_reconciles(book, bank, referrals, build):
    rows = body(open_book(build(PAST, "xlsx"))["推荐漏斗"])
    march = Referral.objects.filter(recommended_at__year=2025, recommended_at__month=3)
    for branch in (bank.north, bank.south):
        mine = march.filter(org_unit__path__startswith=branch.path)
        contacted = mine.filter(contacted_at__isnull=False).count()
        assert rows[branch.name][0] == mine.count()
        assert rows[branch.name][2] == contacted
        assert rows[branch.name][8] == mine.count()  # every deadline of March 2025 has passed
    north = rows[bank.north.name]
    assert north[:3] == (2, 1, 1) and north[7] == 1 and north[9] == pytest.approx(0.5)
    assert rows["合计"][0] == march.count() == 3


def test_acquisition_channels_reconcile(book, referrals, build):
    rows = body(open_book(build(PAST, "xlsx"))["获客渠道"])
    march = Referral.objects.filter(recommended_at__year=2025, recommended_at__month=3)
    for code, label in AcquisitionChannel.choices:
        assert rows[str(label)][1] == march.filter(channel=code).count()
    assert rows["合计"][1] == 3
    current = body(open_book(build(summary.current_month(), "xlsx"))["获客渠道"])
    assert current["厅堂联动"][0] == 1 and current["合计"][0] == Client.objects.count()


def test_requested_twice_the_figures_are_the_same(book, referrals, build):
    first, second = open_book(build(PAST, "xlsx")), open_book(build(PAST, "xlsx"))
    for name in first.sheetnames:
        assert list(first[name].values) == list(second[name].values)


def test_scorecards_and_echelons_are_the_months_computed_figures(book, build):
    from performance import services as performance
    from performance.models import EchelonResult, Scorecard

    month = summary.current_month()
    performance.recompute_scorecards(performance.Period.of(month))
    workbook = open_book(build(month, "xlsx"))
    cards = list(Scorecard.objects.filter(period=month).select_related("advisor").order_by("rank_in_bank", "advisor__username"))
    rows = list(workbook["顾问考核"].iter_rows(min_row=3, values_only=True))
    assert cards and len(rows) == len(cards)
    for row, card in zip(rows, cards, strict=True):
        assert (row[0], row[1], row[3], row[7]) == (card.rank_in_bank, card.rank_in_branch, card.advisor.username,
                                                   float(card.score))
    assert workbook["顾问考核"]["J2"].value.startswith("管户资产净增")
    echelons = list(workbook["五梯队"].iter_rows(min_row=3, values_only=True))
    assert len(echelons) == EchelonResult.objects.filter(period=month).count() > 0
    assert {row[3] for row in echelons} <= {1, 2, 3, 4, 5}
