"""What each kind of import takes, for people: the column guide on the import page and the XLSX templates."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from clients.choices import ImportKind
from clients.imports.job import OPTIONAL, REQUIRED, TEXT_COLUMNS, column_label

NOTES = {
    "client_no": lambda: _("核心系统客户号"),
    "name": lambda: _("不超过 100 个字符"),
    "id_number": lambda: _("15 或 18 位；请设为文本格式"),
    "phone": lambda: _("11 位手机号或带区号的固定电话"),
    "birth_date": lambda: _("YYYY-MM-DD、YYYY/MM/DD 或 YYYYMMDD"),
    "risk_level": lambda: _("C1 至 C5"),
    "org_unit_code": lambda: _("如 BJ01"),
    "advisor_username": lambda: _("顾问的用户名，或本分行内唯一的姓名"),
    "as_of": lambda: _("资产日期"),
    "aum": lambda: _("元，最多两位小数"),
    "sold_on": lambda: _("销售日期"),
    "product_category": lambda: _("存款、理财产品、基金、保险、信托等（中文或代码）"),
    "amount": lambda: _("元，最多两位小数"),
    "fee_income": lambda: _("元；空为 0"),
    "matures_on": lambda: _("理财、定期等有期限产品的到期日，可空；到期前 30 天列入顾问的今日工作"),
    "avg_daily_aum": lambda: _("核心系统报送的当月月日均（元），可空；为空时按每日余额计算"),
}


def columns(kind: str) -> list[dict]:
    return [{"field": f, "label": column_label(f), "required": f in REQUIRED[kind], "note": NOTES[f]()}
            for f in REQUIRED[kind] + OPTIONAL[kind]]


def column_guide() -> list[dict]:
    """Per kind: its code, name and columns (label, required, a note on the format)."""
    return [{"kind": kind, "label": label, "columns": columns(kind)} for kind, label in ImportKind.choices]


def template_xlsx(kind: str) -> bytes:
    """The kind's header row in Chinese; number-like columns (IDs, phones, codes) formatted as text."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(ImportKind(kind).label)
    cols = columns(kind)
    sheet.append([c["label"] for c in cols])
    for index, col in enumerate(cols, start=1):
        header = sheet.cell(row=1, column=index)
        header.font = Font(bold=True)
        letter = header.column_letter
        sheet.column_dimensions[letter].width = 18
        if col["field"] in TEXT_COLUMNS:
            # A cell typed into later keeps the column's format only where one exists: pre-format the rows.
            for row in range(2, 1002):
                sheet.cell(row=row, column=index).number_format = "@"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
