"""The kernel's one-of-each helpers: money input, phone numbers, the tabular reader, birthdays, the pager."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import RequestFactory
from openpyxl import Workbook

from tests.factories import ClientFactory
from wealthcrm.birthdays import birthday_in, next_birthday
from wealthcrm.money import WAN, MoneyError, parse_money
from wealthcrm.pagination import keyset_page
from wealthcrm.phone import PhoneError, clean_phone
from wealthcrm.tabular import TabularFileError, read_rows


@pytest.mark.parametrize("text, unit, amount", [
    ("1,234.5", 1, Decimal("1234.50")),
    ("1，234", 1, Decimal("1234.00")),
    (" 3000 ", 1, Decimal("3000.00")),
    ("3000", WAN, Decimal("30000000.00")),
    ("0.000001", WAN, Decimal("0.01")),
])
def test_parse_money_reads_separators_and_wan(text, unit, amount):
    assert parse_money(text, unit=unit) == amount


@pytest.mark.parametrize("text, unit, fragment", [
    ("abc", 1, "应为数字"), ("NaN", 1, "应为数字"), ("-1", 1, "不能为负数"), ("1.234", 1, "最多保留两位小数"),
    ("1e18", 1, "超出范围"), ("0.0000001", WAN, "最多保留两位小数"),
])
def test_parse_money_refuses_what_is_not_money(text, unit, fragment):
    with pytest.raises(MoneyError, match=fragment):
        parse_money(text, unit=unit)


@pytest.mark.parametrize("text, clean", [
    ("13812345678", "13812345678"), ("138 1234 5678", "13812345678"), ("+86 138-1234-5678", "13812345678"),
    ("010-65123456", "01065123456"), ("(0755) 1234567", "07551234567"), ("", ""),
])
def test_phone_numbers_of_the_mainland(text, clean):
    assert clean_phone(text) == clean


@pytest.mark.parametrize("text", ["1234567", "12812345678", "1381234567", "call me", "+1 415 555 0100", "6512345"])
def test_phone_numbers_that_are_not(text):
    with pytest.raises(PhoneError):
        clean_phone(text)


def _xlsx(rows) -> io.BytesIO:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    return data


@pytest.mark.parametrize("source", [
    io.BytesIO("日期,名称\n2027-02-20,春节\n".encode()),
    io.BytesIO("\ufeff日期,名称\n2027-02-20,春节\n".encode()),
    io.BytesIO("日期,名称\n2027-02-20,春节\n".encode("gbk")),
    io.BytesIO("日期,名称\n2027-02-20,春节\n".encode("gb18030")),
    _xlsx([["日期", "名称"], [dt.date(2027, 2, 20), "春节"]]),
])
def test_one_reader_for_csv_in_every_chinese_encoding_and_xlsx(source):
    assert list(read_rows(source)) == [(["日期", "名称"], [(2, {"日期": "2027-02-20", "名称": "春节"})])]


def test_the_reader_refuses_what_it_cannot_read():
    for data in (b"", "a,b\n".encode("utf-16"), b"\xd0\xcf\x11\xe0legacy"):
        with pytest.raises(TabularFileError):
            list(read_rows(io.BytesIO(data)))


def test_29_february_is_celebrated_on_28_february_in_common_years():
    born = dt.date(1988, 2, 29)
    assert birthday_in(2027, born) == dt.date(2027, 2, 28)
    assert birthday_in(2028, born) == dt.date(2028, 2, 29)
    assert next_birthday(born, dt.date(2027, 2, 28)) == dt.date(2027, 2, 28)
    assert next_birthday(born, dt.date(2027, 3, 1)) == dt.date(2028, 2, 29)


def test_the_keyset_pager_walks_any_ordering_forward_and_back(bank):
    for n in range(5):
        ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, client_no=f"P{n}", aum=Decimal("1000") * (n % 2))
    from clients.models import Client

    queryset = Client.objects.all()
    ordering = ("-aum", "-id")
    expected = list(queryset.order_by(*ordering))

    def page(query=""):
        return keyset_page(queryset, RequestFactory().get("/" + query), ordering=ordering, size=2)

    first, links = page()
    second, links2 = page(links["next"])
    third, links3 = page(links2["next"])
    assert first + second + third == expected and "next" not in links3
    back, _links = page(links3["prev"])
    assert back == second
    assert page("?after=garbage~x")[0] == first  # a forged cursor is the first page, never a 500


def test_fast_select_writes_exactly_what_djangos_select_writes():
    from django import forms

    from wealthcrm.forms import FastSelect

    choices = [("", "---------"), (1, "张三（北京分行）"), (2, 'a<b>"&\''), ("x y", "X"), ("组", [(3, "三"), (4, "四")])]
    for value in (None, "", 1, "2", "x y", 4, "missing"):
        for attrs in (None, {"id": "id_advisor", "class": "c", "required": True, "disabled": False}):
            expected = forms.Select(choices=choices, attrs={"aria-label": "顾问"}).render("advisor", value, attrs)
            assert FastSelect(choices=choices, attrs={"aria-label": "顾问"}).render("advisor", value, attrs) == expected


def test_staff_and_org_unit_filters_render_with_the_fast_select():
    from clients.models import Client
    from tiers.filters import NearThresholdFilter
    from wealthcrm.forms import FastSelect

    form = NearThresholdFilter({}, queryset=Client.objects.none()).form
    assert isinstance(form.fields["advisor"].widget, FastSelect)
    assert isinstance(form.fields["org_unit"].widget, FastSelect)


def test_the_keyset_pager_sorts_by_a_whitelisted_key_with_the_id_as_tiebreaker(bank):
    from clients.models import Client

    for n in range(7):
        ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, client_no=f"T{n}", aum=Decimal("1000") * (n % 2))
    queryset = Client.objects.all()

    def page(query):
        return keyset_page(queryset, RequestFactory().get("/" + query), size=3, sorts={"aum": ("aum",)},
                           sizes=(3,))

    walked, query = [], "?sort=-aum"
    while query:
        rows, links = page(query)
        walked += rows
        query = links.get("next")
    assert walked == list(queryset.order_by("-aum", "-id"))
    assert links["sort"] == "-aum" and links["size"] == 3 and "sort" not in links["base"]
    assert page("?sort=phone")[1]["sort"] == ""  # not whitelisted: the default ordering


def test_date_inputs_have_one_explicit_format_whatever_the_browsers_locale():
    from clients.forms import ContactForm
    from wealthcrm.calendar.forms import ManualDaysForm

    html = str(ContactForm()) + str(ManualDaysForm())
    assert 'type="datetime-local"' not in html and 'type="date"' not in html
    assert "年-月-日 时:分" in html and "年-月-日" in html


def test_tier_badges_and_charts_share_one_palette():
    from pathlib import Path

    from wealthcrm.tiering import TIER_COLOURS

    css = (Path(__file__).resolve().parents[2] / "wealthcrm/static/wealthcrm/app.css").read_text()
    for tier, colour in TIER_COLOURS.items():
        assert f"--tier-{tier}: {colour};" in css
        assert f".badge-{tier} {{ background: var(--tier-{tier});" in css
