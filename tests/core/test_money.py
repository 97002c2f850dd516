from decimal import Decimal

import pytest
from django.template import Context, Template

from wealthcrm.money import format_wan_yi, to_wan


@pytest.mark.parametrize("amount, shown", [
    (Decimal("123456700.00"), "1.23亿"),
    (Decimal("100000000.00"), "1.00亿"),
    (Decimal("99999999.99"), "9,999.99万"),   # just under 1亿 never reads as 1亿
    (Decimal("123456700"), "1.23亿"),
    (Decimal("20000000.00"), "2,000.00万"),
    (Decimal("123456789.00") / 10, "1,234.56万"),
    (Decimal("10000"), "1.00万"),
    (Decimal("8000.5"), "8,000.50元"),
    (Decimal("0"), "0"),
    (Decimal("-25000000"), "-2,500.00万"),
    ("12345.67", "1.23万"),
    (None, "—"),
    ("not money", "—"),
])
def test_money_reads_in_wan_and_yi(amount, shown):
    assert format_wan_yi(amount) == shown


def test_template_filter():
    html = Template("{% load money %}{{ aum|wan_yi }}").render(Context({"aum": Decimal("123456700000.00")}))
    assert html == "1,234.56亿"


def test_amounts_in_wan_truncate_like_the_display():
    assert to_wan(Decimal("99999999.99")) == Decimal("9999.99")  # one fen under 1亿 never charts as 10000.00万
    assert to_wan(Decimal("12345")) == Decimal("1.23")
