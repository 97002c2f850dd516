from decimal import Decimal

import pytest
from django.template import Context, Template

from wealthcrm.money import format_wan_yi


@pytest.mark.parametrize("amount, shown", [
    (Decimal("123456700.00"), "1.23亿"),
    (Decimal("100000000.00"), "1.00亿"),
    (Decimal("99999999.99"), "9,999.99万"),   # just under 1亿 never reads as 1亿
    (Decimal("123456700"), "1.23亿"),
    (Decimal("20000000.00"), "2,000.00万"),
    (Decimal("123456789.00") / 10, "1,234.56万"),
    (Decimal("10000"), "1.00万"),
    (Decimal("8000.5"), "8,000.50元"),
    (Decimal("0"), "0.00元"),
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
