"""Cell parsing of the core-banking imports: one function per kind of cell, each raising ``CellError``.

Money and phone numbers follow the kernel's one rule (``wealthcrm.money``, ``wealthcrm.phone``).
"""

import re
from datetime import date, datetime

from django.utils.translation import gettext as _

from clients.choices import ProductCategory, RiskLevel
from wealthcrm.money import MoneyError, parse_money
from wealthcrm.phone import PhoneError, clean_phone

DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d")
ID_NUMBER = re.compile(r"^(\d{15}|\d{17}[\dX])$")
SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")
INTEGRAL_FLOAT = re.compile(r"^(\d+)\.0+$")


class CellError(ValueError):
    pass


def parse_date(text: str) -> date:
    text = text.strip()
    if " " in text:  # "2026-01-31 00:00:00" from a date cell saved as text
        text = text.split(" ", 1)[0]
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise CellError(_("日期无效：应为 YYYY-MM-DD、YYYY/MM/DD 或 YYYYMMDD 格式的真实日期。"))


def parse_amount(text: str):
    """Amounts as number cells or text with thousands separators; at most 2 decimals, not negative."""
    try:
        return parse_money(text)
    except MoneyError as exc:
        raise CellError(str(exc)) from None


def digits_text(text: str) -> str:
    """Client/phone numbers that went through a number cell: ``13812345678.0`` → ``13812345678``."""
    match = INTEGRAL_FLOAT.match(text)
    return match.group(1) if match else text


def parse_id_number(text: str) -> str:
    value = "".join(text.split()).upper()
    if SCIENTIFIC.match(value):
        raise CellError(_("证件号码被表格软件存成了数字（科学计数法）而丢失了位数：请将该列设置为“文本”格式后重新导出。"))
    if not ID_NUMBER.match(value):
        raise CellError(_("证件号码应为 15 位或 18 位。"))
    return value


def parse_phone(text: str) -> str:
    try:
        return clean_phone(digits_text("".join(text.split())))
    except PhoneError as exc:
        raise CellError(str(exc)) from None


def parse_risk_level(text: str) -> str:
    value = text.strip().upper()
    if value not in RiskLevel.values:
        raise CellError(_("风险等级应为 C1 至 C5。"))
    return value


CATEGORY_BY_TEXT = {**{c: c for c in ProductCategory.values},
                    **{str(label): code for code, label in ProductCategory.choices}}


def parse_category(text: str) -> str:
    value = CATEGORY_BY_TEXT.get(text.strip()) or CATEGORY_BY_TEXT.get(text.strip().lower())
    if value is None:
        raise CellError(_("产品类别无效。"))
    return value
