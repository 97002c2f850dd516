"""Money in the kernel: shown as bank staff read it (万, 亿), read from input by one rule, one field of each kind.

Amounts are ``Decimal`` yuan with 2 places everywhere; 万 is only a unit of display and of some forms.
"""

from decimal import ROUND_DOWN, Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext as _
from rest_framework import serializers

WAN = Decimal(10_000)
YI = Decimal(100_000_000)


def to_wan(amount: Decimal) -> Decimal:
    """An amount in 万 with 2 places, truncated like :func:`format_wan_yi` (charts and exports in 万)."""
    return (Decimal(amount) / WAN).quantize(Decimal("0.01"), ROUND_DOWN)


def format_wan_yi(amount) -> str:
    """``123456789`` → ``1.23亿``; ``123456700`` below 1亿 → ``12,345.67万``; under 1万 → ``8,000.00元``; nothing → ``0``."""
    if amount is None or amount == "":
        return "—"
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return "—"
    if value == 0:
        return "0"  # "0.00元" beside figures in 亿 reads as a different unit
    sign = "-" if value < 0 else ""
    value = abs(value)
    # Truncated, never rounded up: 99,999,999.99 must not read as "1.00亿" next to a tier floor.
    if value >= YI:
        return f"{sign}{(value / YI).quantize(Decimal('0.01'), ROUND_DOWN):,}亿"
    if value >= WAN:
        return f"{sign}{(value / WAN).quantize(Decimal('0.01'), ROUND_DOWN):,}万"
    return f"{sign}{value.quantize(Decimal('0.01'), ROUND_DOWN):,}元"


# --- input: the one money rule of every import, form and serializer -------------------------------------------

CENT = Decimal("0.01")
MONEY_LIMIT = Decimal("1e18")
# Settings of every money column (models) and money field (serializers, forms): yuan with 2 decimals.
MONEY_DIGITS = {"max_digits": 20, "decimal_places": 2}


class MoneyError(ValueError):
    """An amount that is not money; the message is ready to show."""


def parse_money(text, *, unit: Decimal = Decimal(1), label: str = "") -> Decimal:
    """Yuan as a ``Decimal`` with 2 places, from a number cell or text with thousands separators (``1,234.5``).

    ``unit=WAN`` where a form asks in 万 (``3000`` → ``30,000,000.00``). Refuses text that is not a number,
    negatives, more than 2 decimals (in yuan, after the unit) and amounts of 10^18 or more; ``label`` names the
    amount in the message (default 金额).
    """
    label = label or _("金额")
    cleaned = str(text).strip().replace(",", "").replace("，", "").replace(" ", "")
    try:
        value = Decimal(cleaned) * unit
    except InvalidOperation:
        raise MoneyError(_("%(label)s应为数字。") % {"label": label}) from None
    if not value.is_finite():
        raise MoneyError(_("%(label)s应为数字。") % {"label": label})
    if value < 0:
        raise MoneyError(_("%(label)s不能为负数。") % {"label": label})
    if value >= MONEY_LIMIT:
        raise MoneyError(_("%(label)s超出范围，请核对。") % {"label": label})
    if value != value.quantize(CENT):
        raise MoneyError(_("%(label)s最多保留两位小数。") % {"label": label})
    return value.quantize(CENT)


class MoneyField(serializers.DecimalField):
    """An API amount in yuan (a string with 2 decimals in JSON, API.md)."""

    def __init__(self, **kwargs):
        super().__init__(**MONEY_DIGITS, **kwargs)


class MoneyFormField(forms.CharField):
    """A form amount read with ``parse_money`` (thousands separators allowed); ``unit=WAN`` to ask in 万."""

    def __init__(self, *, unit: Decimal = Decimal(1), amount_label: str = "", **kwargs):
        self.unit, self.amount_label = unit, amount_label
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            return parse_money(text, unit=self.unit, label=str(self.amount_label))
        except MoneyError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None
