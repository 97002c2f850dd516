"""File imports from core banking (API.md "Import files"): read in chunks, validate row by row, upsert.

Files are streamed: CSV through ``pandas.read_csv(chunksize=...)`` with every cell read as text, XLSX through
openpyxl's read-only mode, so a 50 MB extract never sits in memory whole. Valid rows are applied chunk by
chunk through the same upsert services as the API; bad rows are reported (row, field, message), where
``row`` is the line in the file (header = 1).
"""

import codecs
import logging
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import pandas as pd
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext as _

from clients import services
from clients.choices import ImportKind, ImportStatus, ProductCategory, RiskLevel
from clients.models import Client, ImportJob
from wealthcrm.org.choices import RELATIONSHIP_ROLES
from wealthcrm.org.models import OrgUnit, Staff

logger = logging.getLogger(__name__)

CHUNK_ROWS = 5000
MAX_REPORTED_ERRORS = 1000

# Chinese column labels → field codes (API.md). English codes are accepted as they are.
HEADER_ALIASES = {
    "客户号": "client_no", "姓名": "name", "证件号码": "id_number", "手机号": "phone", "出生日期": "birth_date",
    "风险等级": "risk_level", "机构代码": "org_unit_code", "客户经理": "advisor_username", "日期": "as_of",
    "金融资产": "aum", "销售日期": "sold_on", "产品类别": "product_category", "金额": "amount",
    "中间业务收入": "fee_income",
}
REQUIRED = {
    ImportKind.CLIENTS: ["client_no", "name", "org_unit_code"],
    ImportKind.AUM_SNAPSHOTS: ["client_no", "as_of", "aum"],
    ImportKind.SALES: ["client_no", "sold_on", "product_category", "amount"],
}
OPTIONAL = {
    ImportKind.CLIENTS: ["id_number", "phone", "birth_date", "risk_level", "advisor_username"],
    ImportKind.AUM_SNAPSHOTS: [],
    ImportKind.SALES: ["fee_income", "advisor_username"],
}
HEADER_LABELS = {code: label for label, code in HEADER_ALIASES.items()}


class ImportFileError(Exception):
    """The file as a whole cannot be read (encoding, format, empty, header): the job fails with this message."""


# --- reading ----------------------------------------------------------------------------------------------------

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls


def detect_csv_encoding(path) -> str:
    """UTF-8 (with or without BOM), else GB18030 (a superset of GBK); anything else is refused.

    The whole file is decoded incrementally first (cheap next to parsing), so a bad byte deep inside a
    file fails the job before anything is applied instead of half-way through.
    """
    with open(path, "rb") as fh:
        head = fh.read(4)
        if head.startswith(codecs.BOM_UTF8):
            candidates = ["utf-8-sig"]
        elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise ImportFileError(_("不支持的文件编码（UTF-16）：请另存为 UTF-8 或 GBK 编码的 CSV。"))
        else:
            candidates = ["utf-8", "gb18030"]
        for encoding in candidates:
            fh.seek(0)
            decoder = codecs.getincrementaldecoder(encoding)()
            try:
                while block := fh.read(1 << 20):
                    if b"\x00" in block:
                        raise ImportFileError(_("无法识别的文件格式：请上传 CSV 或 XLSX 文件。"))
                    decoder.decode(block)
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                continue
            return encoding
    raise ImportFileError(_("无法识别的文件编码：请另存为 UTF-8 或 GBK 编码的 CSV。"))


def _normalise_header(raw) -> str:
    text = str(raw if raw is not None else "").strip().lstrip("\ufeff").strip()
    return HEADER_ALIASES.get(text, text.lower())


def cell_text(value) -> str:
    """A spreadsheet cell as the text a person typed: number cells as their digits, dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # Spreadsheets keep 15 significant digits: a longer integer (an 18-digit ID number) has lost digits
        # and must show it (the E notation is rejected by the ID check) rather than be silently wrong.
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value).strip()


def _iter_csv(path, chunk_rows: int) -> Iterator[tuple[list[str], list[tuple[int, dict]]]]:
    encoding = detect_csv_encoding(path)
    with open(path, encoding=encoding, newline="") as fh:
        try:
            reader = pd.read_csv(fh, dtype=str, keep_default_na=False, skip_blank_lines=False,
                                 chunksize=chunk_rows, skipinitialspace=False)
        except pd.errors.EmptyDataError:
            raise ImportFileError(_("文件为空：第一行应为表头。")) from None
        line = 1
        header = None
        try:
            for frame in reader:
                if header is None:
                    header = [_normalise_header(c) for c in frame.columns]
                rows = []
                for values in frame.itertuples(index=False, name=None):
                    line += 1
                    rows.append((line, dict(zip(header, (("" if v is None else str(v).strip()) for v in values),
                                                strict=False))))
                yield header, rows
        except pd.errors.ParserError as exc:
            raise ImportFileError(_("CSV 格式有误（第 %(line)s 行附近）：请检查引号和分隔符。") % {"line": line + 1}) from exc
        if header is None:
            raise ImportFileError(_("文件为空：第一行应为表头。"))


def _iter_xlsx(path, chunk_rows: int):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign zip
        raise ImportFileError(_("无法读取 Excel 文件：请上传 .xlsx 格式（Excel 2007 及以上）。")) from exc
    try:
        sheet = workbook.worksheets[0]
        rows_iter = sheet.iter_rows(values_only=True)
        header = None
        for first in rows_iter:
            header = [_normalise_header(c) for c in first]
            break
        if header is None or not any(header):
            raise ImportFileError(_("文件为空：第一行应为表头。"))
        line, rows = 1, []
        for values in rows_iter:
            line += 1
            rows.append((line, dict(zip(header, (cell_text(v) for v in values), strict=False))))
            if len(rows) >= chunk_rows:
                yield header, rows
                rows = []
        yield header, rows
    finally:
        workbook.close()


def read_rows(path, *, chunk_rows: int = CHUNK_ROWS):
    """Yield ``(header, [(line, {field: text})...])`` chunks of a CSV or XLSX file."""
    with open(path, "rb") as fh:
        magic = fh.read(4)
    if not magic:
        raise ImportFileError(_("文件为空：第一行应为表头。"))
    if magic.startswith(OLE_MAGIC):
        raise ImportFileError(_("不支持旧版 Excel（.xls）文件：请另存为 .xlsx 或 CSV。"))
    yield from _iter_xlsx(path, chunk_rows) if magic == XLSX_MAGIC else _iter_csv(path, chunk_rows)


# --- cell validation ---------------------------------------------------------------------------------------------

DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d")
ID_NUMBER = re.compile(r"^(\d{15}|\d{17}[\dX])$")
PHONE = re.compile(r"^\+?\d{6,15}$")
SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")
INTEGRAL_FLOAT = re.compile(r"^(\d+)\.0+$")
MONEY_LIMIT = Decimal("1e18")


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


def parse_money(text) -> Decimal:
    """Amounts as number cells or text with thousands separators; at most 2 decimals, not negative."""
    cleaned = str(text).strip().replace(",", "").replace("，", "").replace(" ", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise CellError(_("金额应为数字。")) from None
    if not value.is_finite():
        raise CellError(_("金额应为数字。"))
    if value < 0:
        raise CellError(_("金额不能为负数。"))
    if value >= MONEY_LIMIT:
        raise CellError(_("金额超出范围。"))
    if value != value.quantize(Decimal("0.01")):
        raise CellError(_("金额最多保留两位小数。"))
    return value.quantize(Decimal("0.01"))


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
    value = digits_text("".join(text.split()).replace("-", ""))
    if SCIENTIFIC.match(value) or not PHONE.match(value):
        raise CellError(_("手机号格式不正确。"))
    return value


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


# --- the job ---------------------------------------------------------------------------------------------------

class _Context:
    """Lookups shared by every chunk of one file (org units and advisors are small: loaded once)."""

    def __init__(self, kind):
        self.kind = kind
        self.seen: set[int] = set()  # hashes of keys already met in this file (duplicates are reported)
        self._units = None
        self._advisors = None

    @property
    def units(self):
        if self._units is None:
            self._units = dict(OrgUnit.objects.values_list("code", "id"))
        return self._units

    @property
    def advisors(self):
        if self._advisors is None:
            self._advisors = dict(Staff.objects.filter(is_active=True, role__in=RELATIONSHIP_ROLES)
                                  .values_list("username", "id"))
        return self._advisors

    def resolve_advisor(self, clean: dict, line: int, row_errors: list) -> None:
        """``advisor_username`` (when given) → ``advisor_id``; an unknown or inactive one is a row error."""
        if "advisor_username" not in clean:
            return
        advisor_id = self.advisors.get(clean["advisor_username"])
        if advisor_id is None:
            row_errors.append({"row": line, "field": "advisor_username",
                               "message": _("客户经理不存在或不是在职的顾问/客户经理。")})
        clean["advisor_id"] = advisor_id


def _validate_chunk(ctx: _Context, rows: list[tuple[int, dict]], errors: list) -> list[tuple[int, dict]]:
    """Parse every cell; return the valid rows (line, values) and append errors for the others."""
    kind = ctx.kind
    client_ids = {}
    if kind != ImportKind.CLIENTS:
        numbers = {digits_text(r.get("client_no", "").strip()) for _line, r in rows}
        client_ids = {no: (cid, adv) for no, cid, adv in
                      Client.objects.filter(client_no__in=numbers).values_list("client_no", "id", "advisor_id")}
    valid = []
    for line, raw in rows:
        if not any(value for value in raw.values()):
            continue  # blank rows are skipped, not errors
        row_errors, clean = [], {}

        def cell(field, parse, required=True, _raw=raw, _clean=clean, _errors=row_errors, _line=line):
            text = (_raw.get(field) or "").strip()
            if not text:
                if required:
                    _errors.append({"row": _line, "field": field, "message": _("必填项为空。")})
                return
            try:
                _clean[field] = parse(text)
            except CellError as exc:
                _errors.append({"row": _line, "field": field, "message": str(exc)})

        cell("client_no", digits_text)
        if kind == ImportKind.CLIENTS:
            cell("name", str)
            cell("org_unit_code", str)
            cell("id_number", parse_id_number, required=False)
            cell("phone", parse_phone, required=False)
            cell("birth_date", parse_date, required=False)
            cell("risk_level", parse_risk_level, required=False)
            cell("advisor_username", str, required=False)
            if "org_unit_code" in clean:
                unit_id = ctx.units.get(clean["org_unit_code"])
                if unit_id is None:
                    row_errors.append({"row": line, "field": "org_unit_code", "message": _("机构代码不存在。")})
                clean["org_unit_id"] = unit_id
            ctx.resolve_advisor(clean, line, row_errors)
            key = clean.get("client_no")
        else:
            if kind == ImportKind.AUM_SNAPSHOTS:
                cell("as_of", parse_date)
                cell("aum", parse_money)
                key = (clean.get("client_no"), clean.get("as_of"))
            else:
                cell("sold_on", parse_date)
                cell("product_category", parse_category)
                cell("amount", parse_money)
                cell("fee_income", parse_money, required=False)
                cell("advisor_username", str, required=False)
                ctx.resolve_advisor(clean, line, row_errors)
                key = (clean.get("client_no"), clean.get("sold_on"), clean.get("product_category"),
                       clean.get("amount"))
            if "client_no" in clean:
                found = client_ids.get(clean["client_no"])
                if found is None:
                    row_errors.append({"row": line, "field": "client_no", "message": _("客户号不存在。")})
                else:
                    clean["client_id"] = found[0]
                    clean.setdefault("advisor_id", found[1])
        if not row_errors:
            digest = hash(key)
            if digest in ctx.seen:
                row_errors.append({"row": line, "field": "client_no",
                                   "message": _("与文件中前面的行重复（同一键只导入第一次出现的行）。")})
            else:
                ctx.seen.add(digest)
        if row_errors:
            errors.extend(row_errors)
        else:
            valid.append((line, clean))
    return valid


def _apply(kind, valid: list[tuple[int, dict]]) -> dict:
    rows = [clean for _line, clean in valid]
    if kind == ImportKind.CLIENTS:
        return services.upsert_clients(rows)
    if kind == ImportKind.AUM_SNAPSHOTS:
        return services.upsert_aum_snapshots((r["client_id"], r["as_of"], r["aum"]) for r in rows)
    return services.upsert_sales(
        (r["client_id"], r["sold_on"], r["product_category"], r["amount"], r.get("fee_income", Decimal("0.00")),
         r.get("advisor_id")) for r in rows)


def _check_header(kind, header: list[str]) -> None:
    missing = [f for f in REQUIRED[kind] if f not in header]
    if missing:
        names = "、".join(f"{HEADER_LABELS.get(f, f)}（{f}）" for f in missing)
        raise ImportFileError(_("表头缺少必需的列：%(names)s。") % {"names": names})


def process_file(*, kind: str, path, on_progress: Callable[[int], None] | None = None,
                 chunk_rows: int = CHUNK_ROWS) -> dict:
    """Import one file; returns ``{created, updated, unchanged, errors}``. Raises ImportFileError for a file
    that cannot be read at all (nothing is applied then)."""
    ctx = _Context(kind)
    totals = {"created": 0, "updated": 0, "unchanged": 0}
    errors: list = []
    rows_done = 0
    checked = False
    for header, rows in read_rows(path, chunk_rows=chunk_rows):
        if not checked:
            _check_header(kind, header)
            checked = True
        valid = _validate_chunk(ctx, rows, errors)
        for name, count in _apply(kind, valid).items():
            totals[name] += count
        rows_done += len(rows)
        if on_progress:
            on_progress(rows_done)
    if not checked:
        raise ImportFileError(_("文件为空：第一行应为表头。"))
    return {**totals, "errors": errors}


def _count_lines(path) -> int:
    """Rough number of data rows, for progress only (XLSX: the sheet's declared size)."""
    with open(path, "rb") as fh:
        if fh.read(4) == XLSX_MAGIC:
            from openpyxl import load_workbook

            try:
                wb = load_workbook(path, read_only=True)
            except Exception:  # unreadable: process_file reports it properly
                return 1
            try:
                return max((wb.worksheets[0].max_row or 1) - 1, 1)
            finally:
                wb.close()
        fh.seek(0)
        return max(sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 20), b"")) - 1, 1)


ALLOWED_SUFFIXES = (".csv", ".txt", ".xlsx")
MAX_UPLOAD_BYTES = 200 * 1024 * 1024


def check_upload(uploaded_file) -> None:
    """Refuse at upload what can never be imported; content (encoding, header) is checked by the job."""
    name = (uploaded_file.name or "").lower()
    if not name.endswith(ALLOWED_SUFFIXES):
        raise ValidationError(_("不支持的文件格式：请上传 CSV（UTF-8 或 GBK 编码）或 XLSX 文件。"))
    if uploaded_file.size == 0:
        raise ValidationError(_("文件为空。"))
    if uploaded_file.size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("文件超过 200 MB：请拆分后分批导入。"))


def create_import_job(*, kind: str, uploaded_file, actor) -> ImportJob:
    check_upload(uploaded_file)
    job = ImportJob(kind=kind, original_name=uploaded_file.name[:255], created_by=actor)
    job.file.save(uploaded_file.name.rsplit("/", 1)[-1], uploaded_file, save=False)
    job.save()
    return job


def enqueue(job: ImportJob) -> None:
    """Hand the job to Celery once the row is committed (the worker must be able to read it)."""
    from clients.tasks import run_import as task

    def send():
        try:
            task.delay(job_id=job.pk)
        except Exception:  # broker down: the job stays pending and can be re-queued; the upload is not lost
            logger.exception("import job %s could not be queued", job.pk)

    transaction.on_commit(send)


def run_import(*, job_id: int, on_progress: Callable[[int], None] | None = None) -> ImportJob:
    """Run one ImportJob to the end (the Celery task and the management command both call this).

    Idempotent: a finished job is left alone; a re-run of a job applies the same upserts again.
    """
    job = ImportJob.objects.get(pk=job_id)
    if job.status in (ImportStatus.DONE, ImportStatus.FAILED):
        return job
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, progress=0)
    path = job.file.path
    last = {"pct": -1}

    def progress(rows_done):
        pct = min(99, rows_done * 100 // total)
        if pct != last["pct"]:
            last["pct"] = pct
            ImportJob.objects.filter(pk=job.pk).update(progress=pct)
            if on_progress:
                on_progress(pct)

    try:
        total = _count_lines(path)
        result = process_file(kind=job.kind, path=path, on_progress=progress)
    except ImportFileError as exc:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.FAILED, message=str(exc), finished_at=Now())
    except Exception:
        logger.exception("import job %s failed", job.pk)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.FAILED, finished_at=Now(),
            message=_("导入时发生系统错误，已应用的行可重新导入（不会重复）。请联系系统管理员。"))
    else:
        errors = result["errors"]
        message = ""
        if len(errors) > MAX_REPORTED_ERRORS:
            message = _("共 %(n)s 处错误，仅列出前 %(k)s 处。") % {"n": len(errors), "k": MAX_REPORTED_ERRORS}
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.DONE, progress=100, created=result["created"], updated=result["updated"],
            unchanged=result["unchanged"], errors=errors[:MAX_REPORTED_ERRORS], message=message,
            finished_at=timezone.now())
    job.refresh_from_db()
    return job
