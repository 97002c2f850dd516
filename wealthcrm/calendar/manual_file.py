"""The manual-file upload of the calendar: head office enters next year's official 调休 arrangement as a file.

Reading is the kernel's one tabular reader (``wealthcrm.tabular``: CSV UTF-8/GBK or XLSX); the rows become
manual calendar entries through ``services.write_manual``, all or nothing.
"""

import datetime as dt
import io

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from wealthcrm.calendar import services
from wealthcrm.calendar.services import MAX_RANGE_DAYS
from wealthcrm.tabular import TabularFileError, read_rows

# A year of holidays is a few dozen rows; anything much bigger is the wrong file.
MAX_FILE_BYTES = 256 * 1024
MAX_FILE_ROWS = 1000

_HEADERS = {
    "date": {"date", "日期"},
    "start": {"start", "start_date", "开始日期", "起始日期", "开始"},
    "end": {"end", "end_date", "结束日期", "截止日期", "结束"},
    "is_business_day": {"is_business_day", "business_day", "是否工作日", "工作日", "是否上班"},
    "name": {"name", "名称", "说明", "节日"},
}
_TRUE = {"是", "1", "true", "yes", "y", "上班", "工作日", "t"}
_FALSE = {"否", "0", "false", "no", "n", "放假", "休息", "休息日", "f"}
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d")


def _parse_date(value: str) -> dt.date | None:
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    return None


def _column(text: str) -> str:
    key = text.lower()
    return next((field for field, aliases in _HEADERS.items() if key in aliases), key)


def _row_error(row: int, message: str) -> ValidationError:
    # Already formatted (no params): user text in the message may contain "%".
    return ValidationError(_("第 %(row)s 行：%(message)s") % {"row": row, "message": message}, code="row")


def import_manual_file(file, *, actor=None) -> dict:
    """Apply a small CSV or XLSX of manual calendar entries, all or nothing (the kernel's tabular reader).

    Columns ``date,is_business_day,name`` (or ``日期,是否工作日,名称``), or ranges ``start,end,is_business_day,name``
    (``开始日期,结束日期,…``; an empty end means one day). Values 是/否/1/0/true/false; dates YYYY-MM-DD or
    YYYY/MM/DD. Any bad row raises ``ValidationError`` listing every bad row as "第 N 行：…" (N = line in the
    file, header = 1) and nothing is written. Returns ``{"rows": entries, "days": days written}``.
    """
    raw = file.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise ValidationError(_("文件过大：日历文件最多 256 KB，请只保留需要录入的日期。"))
    if not raw.strip():
        raise ValidationError(_("文件为空：第 1 行应为表头 date,is_business_day,name（或 日期,是否工作日,名称）。"))
    try:
        chunks = list(read_rows(io.BytesIO(raw), chunk_rows=MAX_FILE_ROWS + 1, normalise_header=_column))
    except TabularFileError as exc:
        raise ValidationError(str(exc)) from None
    header = chunks[0][0]
    if "is_business_day" not in header or not ({"date", "start"} & set(header)):
        raise ValidationError(_row_error(1, _(
            "表头需包含 date（或 start、end）和 is_business_day 列，可用中文表头 日期（或 开始日期、结束日期）、是否工作日、名称。"
        )))

    def cell(values, field):
        return values.get(field, "")

    errors: list[ValidationError] = []
    entries: dict[dt.date, tuple[bool, str]] = {}
    first_row: dict[dt.date, int] = {}
    rows = 0
    for line, values in (row for _header, chunk in chunks for row in chunk):
        if not any(values.values()):
            continue
        rows += 1
        if rows > MAX_FILE_ROWS:
            errors.append(_row_error(line, _("行数超过 %(max)s 行，请分批上传。") % {"max": MAX_FILE_ROWS}))
            break
        row_errors = []
        start_text = cell(values, "date") or cell(values, "start")
        end_text = cell(values, "end") if not cell(values, "date") else ""
        start = _parse_date(start_text) if start_text else None
        end = _parse_date(end_text) if end_text else start
        if not start_text:
            row_errors.append(_("缺少日期。"))
        elif start is None:
            row_errors.append(_("日期“%(value)s”无效，请使用 YYYY-MM-DD 或 YYYY/MM/DD 格式。") % {"value": start_text})
        if end_text and end is None:
            row_errors.append(_("结束日期“%(value)s”无效，请使用 YYYY-MM-DD 或 YYYY/MM/DD 格式。") % {"value": end_text})
        if start and end:
            if end < start:
                row_errors.append(_("结束日期早于开始日期。"))
            elif (end - start).days + 1 > MAX_RANGE_DAYS:
                row_errors.append(_("日期范围超过 %(max)s 天。") % {"max": MAX_RANGE_DAYS})
        flag_text = cell(values, "is_business_day")
        flag = True if flag_text.lower() in _TRUE else False if flag_text.lower() in _FALSE else None
        if flag is None:
            row_errors.append(
                _("是否工作日“%(value)s”无法识别，请填 是/否、1/0 或 true/false。") % {"value": flag_text}
                if flag_text else _("缺少“是否工作日”（是/否）。")
            )
        name = cell(values, "name")
        if len(name) > 100:
            row_errors.append(_("名称最多 100 个字。"))
        if row_errors:
            errors.append(_row_error(line, "".join(row_errors)))
            continue
        name = name or services.default_name(flag)
        for day in services.span_days(start, end):
            if day in entries and entries[day][0] != flag:
                errors.append(_row_error(line, _("%(day)s 与第 %(other)s 行矛盾（一行为上班，一行为放假）。")
                                         % {"day": day.isoformat(), "other": first_row[day]}))
                break
            entries[day] = (flag, name)
            first_row.setdefault(day, line)
    if errors:
        raise ValidationError(errors)
    if not entries:
        raise ValidationError(_("文件中没有数据行：请在表头下逐行填写日期。"))
    return {"rows": rows, "days": services.write_manual(entries, actor=actor)}
