"""Money as bank staff read it: 万 and 亿 (display only; amounts stay ``Decimal`` everywhere else)."""

from decimal import ROUND_DOWN, Decimal, InvalidOperation

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
