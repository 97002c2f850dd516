"""The import job: read a file in chunks, validate row by row, upsert through the clients services.

Valid rows are applied chunk by chunk through the same upsert services as the API; bad rows are reported
(row, field, message), where ``row`` is the line in the file (header = 1). Reading is the kernel's one tabular
reader (``wealthcrm.tabular``); cells are parsed in ``clients.imports.cells``.
"""

import logging
from collections.abc import Callable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext as _

from clients import services
from clients.choices import ImportKind, ImportStatus
from clients.imports.cells import (
    CellError,
    digits_text,
    parse_amount,
    parse_category,
    parse_date,
    parse_id_number,
    parse_phone,
    parse_risk_level,
)
from clients.models import Client, ImportJob
from wealthcrm.org.choices import RELATIONSHIP_ROLES
from wealthcrm.org.models import OrgUnit, Staff
from wealthcrm.tabular import CHUNK_ROWS, TabularFileError, count_rows, empty_file_error, read_rows

logger = logging.getLogger(__name__)

MAX_REPORTED_ERRORS = 1000

# Chinese column labels → field codes (API.md). English codes are accepted as they are.
HEADER_ALIASES = {
    "客户号": "client_no", "姓名": "name", "证件号码": "id_number", "手机号": "phone", "出生日期": "birth_date",
    "风险等级": "risk_level", "机构代码": "org_unit_code", "客户经理": "advisor_username", "日期": "as_of",
    "金融资产": "aum", "销售日期": "sold_on", "产品类别": "product_category", "金额": "amount",
    "中间业务收入": "fee_income", "月日均": "avg_daily_aum",
}
REQUIRED = {
    ImportKind.CLIENTS: ["client_no", "name", "org_unit_code"],
    ImportKind.AUM_SNAPSHOTS: ["client_no", "as_of", "aum"],
    ImportKind.SALES: ["client_no", "sold_on", "product_category", "amount"],
}
OPTIONAL = {
    ImportKind.CLIENTS: ["id_number", "phone", "birth_date", "risk_level", "advisor_username"],
    ImportKind.AUM_SNAPSHOTS: ["avg_daily_aum"],
    ImportKind.SALES: ["fee_income", "advisor_username"],
}
HEADER_LABELS = {code: label for label, code in HEADER_ALIASES.items()}


def normalise_header(text: str) -> str:
    return HEADER_ALIASES.get(text, text.lower())


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
                cell("aum", parse_amount)
                cell("avg_daily_aum", parse_amount, required=False)
                key = (clean.get("client_no"), clean.get("as_of"))
            else:
                cell("sold_on", parse_date)
                cell("product_category", parse_category)
                cell("amount", parse_amount)
                cell("fee_income", parse_amount, required=False)
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
        return services.upsert_aum_snapshots((r["client_id"], r["as_of"], r["aum"], r.get("avg_daily_aum"))
                                             for r in rows)
    return services.upsert_sales(
        (r["client_id"], r["sold_on"], r["product_category"], r["amount"], r.get("fee_income", Decimal("0.00")),
         r.get("advisor_id")) for r in rows)


def _check_header(kind, header: list[str]) -> None:
    missing = [f for f in REQUIRED[kind] if f not in header]
    if missing:
        names = "、".join(f"{HEADER_LABELS.get(f, f)}（{f}）" for f in missing)
        raise TabularFileError(_("表头缺少必需的列：%(names)s。") % {"names": names})


def process_file(*, kind: str, path, on_progress: Callable[[int], None] | None = None,
                 chunk_rows: int = CHUNK_ROWS) -> dict:
    """Import one file; returns ``{created, updated, unchanged, errors}``. Raises TabularFileError for a file
    that cannot be read at all (nothing is applied then)."""
    ctx = _Context(kind)
    totals = {"created": 0, "updated": 0, "unchanged": 0}
    errors: list = []
    rows_done = 0
    checked = False
    for header, rows in read_rows(path, chunk_rows=chunk_rows, normalise_header=normalise_header):
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
        raise empty_file_error()
    return {**totals, "errors": errors}


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
        total = count_rows(path)
        result = process_file(kind=job.kind, path=path, on_progress=progress)
    except TabularFileError as exc:
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
