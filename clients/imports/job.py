"""The import job: read a file in chunks, validate row by row, upsert through the clients services.

Valid rows are applied chunk by chunk through the same upsert services as the API; bad rows are reported
(row, field, message), where ``row`` is the line in the file (header = 1). Reading is the kernel's one tabular
reader (``wealthcrm.tabular``); cells are parsed in ``clients.imports.cells``.
"""

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, connection, transaction
from django.db.models import Q
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
from wealthcrm.outbox import services as outbox
from wealthcrm.tabular import CHUNK_ROWS, TabularFileError, empty_file_error, read_rows

logger = logging.getLogger(__name__)

MAX_REPORTED_ERRORS = 1000

# Chinese column labels → field codes (API.md). English codes are accepted as they are.
HEADER_ALIASES = {
    "客户号": "client_no", "姓名": "name", "证件号码": "id_number", "手机号": "phone", "出生日期": "birth_date",
    "风险等级": "risk_level", "机构代码": "org_unit_code", "客户经理": "advisor_username", "日期": "as_of",
    "金融资产": "aum", "销售日期": "sold_on", "产品类别": "product_category", "金额": "amount",
    "中间业务收入": "fee_income", "月日均": "avg_daily_aum", "到期日": "matures_on",
}
REQUIRED = {
    ImportKind.CLIENTS: ["client_no", "name", "org_unit_code"],
    ImportKind.AUM_SNAPSHOTS: ["client_no", "as_of", "aum"],
    ImportKind.SALES: ["client_no", "sold_on", "product_category", "amount"],
}
OPTIONAL = {
    ImportKind.CLIENTS: ["id_number", "phone", "birth_date", "risk_level", "advisor_username"],
    ImportKind.AUM_SNAPSHOTS: ["avg_daily_aum"],
    ImportKind.SALES: ["fee_income", "advisor_username", "matures_on"],
}
HEADER_LABELS = {code: label for label, code in HEADER_ALIASES.items()}
# Text cells in the template (a spreadsheet would drop leading zeros or round an 18-digit number).
TEXT_COLUMNS = {"client_no", "id_number", "phone", "org_unit_code", "advisor_username"}
# Longest text a column holds (the model's limits): longer is a row error, never a failed chunk.
MAX_CHARS = {"client_no": Client._meta.get_field("client_no").max_length,
             "name": Client._meta.get_field("name").max_length,
             "org_unit_code": OrgUnit._meta.get_field("code").max_length,
             "advisor_username": Staff._meta.get_field("username").max_length}


def column_label(field: str) -> str:
    return HEADER_LABELS.get(field, field)


def normalise_header(text: str) -> str:
    return HEADER_ALIASES.get(text, text.lower())


def _error(line: int, field: str, message: str) -> dict:
    """One row error as API.md gives it (row, field, message), plus the column as the file's users name it."""
    return {"row": line, "field": field, "column": column_label(field), "message": message}


def _text(field: str) -> Callable[[str], str]:
    limit = MAX_CHARS[field]

    def parse(text: str) -> str:
        if len(text) > limit:
            raise CellError(_("不能超过 %(n)s 个字符。") % {"n": limit})
        return text

    return parse


def _branch_key(path: str) -> str:
    """The branch a unit belongs to, read off its materialised path (head office → branch → …)."""
    return "/".join(path.split("/")[:2])


class _Context:
    """Lookups shared by every chunk of one file (org units and advisors are small: loaded once)."""

    def __init__(self, kind):
        self.kind = kind
        self.seen: set[int] = set()  # hashes of keys already met in this file (duplicates are reported)
        self._units = None
        self._advisors = None

    @property
    def units(self) -> dict[str, tuple[int, str]]:
        if self._units is None:
            self._units = {code: (pk, path) for code, pk, path in OrgUnit.objects.values_list("code", "id", "path")}
        return self._units

    @property
    def advisors(self):
        """``(by username, by (branch, name) → [ids])`` of the staff who may serve clients."""
        if self._advisors is None:
            by_username, by_name = {}, {}
            for pk, username, name, path in (Staff.objects.filter(is_active=True, role__in=RELATIONSHIP_ROLES)
                                             .values_list("id", "username", "display_name", "org_unit__path")):
                by_username[username] = pk
                if name and path:
                    by_name.setdefault((_branch_key(path), name), []).append(pk)
            self._advisors = by_username, by_name
        return self._advisors

    def resolve_advisor(self, clean: dict, line: int, row_errors: list, unit_path: str | None) -> None:
        """``advisor_username`` (when given) → ``advisor_id``: a username, or a name unique among the advisors of
        the row's branch; an unknown, inactive or ambiguous one is a row error."""
        if "advisor_username" not in clean:
            return
        text = clean["advisor_username"]
        by_username, by_name = self.advisors
        advisor_id = by_username.get(text)
        if advisor_id is None and unit_path:
            named = by_name.get((_branch_key(unit_path), text), [])
            if len(named) > 1:
                row_errors.append(_error(line, "advisor_username",
                                         _("本分行有多名顾问同名：请填写其用户名。")))
            elif named:
                advisor_id = named[0]
            else:
                row_errors.append(_error(line, "advisor_username",
                                         _("客户经理不存在或不是在职的顾问/客户经理（填写用户名，或本分行内唯一的姓名）。")))
        elif advisor_id is None:
            row_errors.append(_error(line, "advisor_username",
                                     _("客户经理不存在或不是在职的顾问/客户经理（填写用户名，或本分行内唯一的姓名）。")))
        clean["advisor_id"] = advisor_id


def _validate_chunk(ctx: _Context, rows: list[tuple[int, dict]], errors: list) -> list[tuple[int, dict]]:
    """Parse every cell; return the valid rows (line, values) and append errors for the others."""
    kind = ctx.kind
    max_chars = settings.IMPORT_MAX_CELL_CHARS
    client_ids = {}
    if kind != ImportKind.CLIENTS:
        numbers = {digits_text(r.get("client_no", "").strip()) for _line, r in rows}
        client_ids = {no: rest for no, *rest in Client.objects.filter(client_no__in=numbers)
                      .values_list("client_no", "id", "advisor_id", "org_unit__path")}
    valid = []
    for line, raw in rows:
        if not any(value for value in raw.values()):
            continue  # blank rows are skipped, not errors
        # A cell past the size limit is this row's error whichever column it is in (never echoed back).
        row_errors = [_error(line, field, _("单元格内容过长（超过 %(n)s 个字符）。") % {"n": max_chars})
                      for field, value in raw.items() if value and len(value) > max_chars]
        oversized = {e["field"] for e in row_errors}
        clean = {}

        def cell(field, parse, required=True, _raw=raw, _clean=clean, _errors=row_errors, _line=line,
                 _oversized=oversized):
            if field in _oversized:
                return
            text = (_raw.get(field) or "").strip()
            if not text:
                if required:
                    _errors.append(_error(_line, field, _("必填项为空。")))
                return
            try:
                _clean[field] = parse(text)
            except CellError as exc:
                _errors.append(_error(_line, field, str(exc)))

        cell("client_no", lambda text: _text("client_no")(digits_text(text)))
        if kind == ImportKind.CLIENTS:
            cell("name", _text("name"))
            cell("org_unit_code", _text("org_unit_code"))
            cell("id_number", parse_id_number, required=False)
            cell("phone", parse_phone, required=False)
            cell("birth_date", parse_date, required=False)
            cell("risk_level", parse_risk_level, required=False)
            cell("advisor_username", _text("advisor_username"), required=False)
            unit_id, unit_path = None, None
            if "org_unit_code" in clean:
                unit_id, unit_path = ctx.units.get(clean["org_unit_code"], (None, None))
                if unit_id is None:
                    row_errors.append(_error(line, "org_unit_code", _("机构代码不存在。")))
                clean["org_unit_id"] = unit_id
            ctx.resolve_advisor(clean, line, row_errors, unit_path)
            key = clean.get("client_no")
        else:
            found = client_ids.get(clean.get("client_no"))
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
                cell("advisor_username", _text("advisor_username"), required=False)
                cell("matures_on", parse_date, required=False)
                if clean.get("matures_on") and clean.get("sold_on") and clean["matures_on"] < clean["sold_on"]:
                    row_errors.append(_error(line, "matures_on", _("到期日早于销售日期。")))
                ctx.resolve_advisor(clean, line, row_errors, found[2] if found else None)
                key = (clean.get("client_no"), clean.get("sold_on"), clean.get("product_category"),
                       clean.get("amount"))
            if "client_no" in clean:
                if found is None:
                    row_errors.append(_error(line, "client_no", _("客户号不存在。")))
                else:
                    clean["client_id"] = found[0]
                    clean.setdefault("advisor_id", found[1])
        if not row_errors:
            digest = hash(key)
            if digest in ctx.seen:
                row_errors.append(_error(line, "client_no",
                                         _("与文件中前面的行重复（同一键只导入第一次出现的行）。")))
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
         r.get("advisor_id"), r.get("matures_on")) for r in rows)


def _apply_isolating(kind, valid: list[tuple[int, dict]], errors: list) -> dict:
    """Apply the rows; when the database refuses the batch, split it until the refused rows are found, each
    reported as its row's error and every other row applied (a rule the cell checks missed is one row's
    problem, never its chunk's)."""
    try:
        with transaction.atomic():
            return _apply(kind, valid)
    except (DataError, IntegrityError):
        if len(valid) == 1:
            logger.warning("import row %s refused by the database", valid[0][0], exc_info=True)
            errors.append(_error(valid[0][0], "client_no", _("该行无法保存（数据超出允许的范围或格式）。")))
            return {}
    half = len(valid) // 2
    totals = Counter(_apply_isolating(kind, valid[:half], errors))
    totals.update(_apply_isolating(kind, valid[half:], errors))
    return totals


def _check_header(kind, header: list[str]) -> None:
    missing = [f for f in REQUIRED[kind] if f not in header]
    if missing:
        names = "、".join(f"{HEADER_LABELS.get(f, f)}（{f}）" for f in missing)
        raise TabularFileError(_("表头缺少必需的列：%(names)s。") % {"names": names})


@dataclass
class Outcome:
    """Where an import stands: counts, rows read (the resume cursor) and the first errors of all counted."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    error_count: int = 0
    rows_done: int = 0
    errors: list = field(default_factory=list)

    def add(self, counts: dict, errors: list, rows_done: int) -> None:
        for name in ("created", "updated", "unchanged"):
            setattr(self, name, getattr(self, name) + counts.get(name, 0))
        self.rejected += len({e["row"] for e in errors})
        self.error_count += len(errors)
        self.errors.extend(errors[:max(0, MAX_REPORTED_ERRORS - len(self.errors))])
        self.rows_done = rows_done

    def as_dict(self) -> dict:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "rejected": self.rejected, "error_count": self.error_count, "errors": self.errors}


def _chunks(kind, path, chunk_rows):
    checked = False
    for header, rows in read_rows(path, chunk_rows=chunk_rows, normalise_header=normalise_header,
                                  max_rows=settings.IMPORT_MAX_ROWS):
        if not checked:
            _check_header(kind, header)
            checked = True
        yield rows
    if not checked:
        raise empty_file_error()


def scan_file(*, kind: str, path, chunk_rows: int = CHUNK_ROWS) -> int:
    """Read the whole file once, applying nothing: the data rows it has. Raises TabularFileError for what makes
    the whole file unreadable (format, encoding, header, too many rows, a broken line deep inside), so such a
    file is refused before its first row is applied."""
    total = 0
    for rows in _chunks(kind, path, chunk_rows):
        total = rows[-1][0] - 1 if rows else total
    return total


def process_file(*, kind: str, path, on_progress: Callable[[int], None] | None = None,
                 chunk_rows: int = CHUNK_ROWS, outcome: Outcome | None = None,
                 on_chunk: Callable[[Outcome], None] | None = None) -> dict:
    """Import one file; returns ``{created, updated, unchanged, rejected, error_count, errors}``.

    Each chunk's rows are applied in one transaction together with ``on_chunk`` (the job records its counts
    and cursor there), so a worker that dies loses nothing and repeats nothing: ``outcome`` (what a previous
    attempt recorded) says how many rows to skip; those are still parsed, only to recognise later duplicates.
    """
    ctx = _Context(kind)
    outcome = outcome or Outcome()
    skip = outcome.rows_done
    for rows in _chunks(kind, path, chunk_rows):
        if not rows:
            continue
        done = [r for r in rows if r[0] - 1 <= skip]
        todo = rows[len(done):]
        if done:
            _validate_chunk(ctx, done, [])
        if todo:
            with transaction.atomic():
                chunk_errors: list = []
                valid = _validate_chunk(ctx, todo, chunk_errors)
                counts = _apply_isolating(kind, valid, chunk_errors) if valid else {}
                outcome.add(counts, sorted(chunk_errors, key=lambda e: e["row"]), rows[-1][0] - 1)
                if on_chunk:
                    on_chunk(outcome)
        if on_progress:
            on_progress(rows[-1][0] - 1)
    return outcome.as_dict()


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


# The task that runs a job, by name (this package is imported by ``clients.tasks``, never the other way round).
RUN_TASK = "clients.tasks.run_import"
# "impt" in ASCII: the advisory-lock key space of "import job N is being run" (held for the whole run).
RUN_LOCK_KEY = 0x696D7074
PREVIEW_ROWS = 20


@transaction.atomic
def create_import_job(*, kind: str, uploaded_file, actor, preview: bool = False) -> ImportJob:
    """Save the upload and queue its run in the same transaction (the outbox): with the broker down the job
    still runs once it is back. A preview is saved but not queued until ``confirm_import``."""
    check_upload(uploaded_file)
    job = ImportJob(kind=kind, original_name=uploaded_file.name[:255], created_by=actor, preview=preview)
    job.file.save(uploaded_file.name.rsplit("/", 1)[-1], uploaded_file, save=False)
    job.save()
    if not preview:
        outbox.enqueue(RUN_TASK, job_id=job.pk)
    return job


@transaction.atomic
def confirm_import(job: ImportJob) -> ImportJob:
    """Apply a previewed upload: queue it (once; a second confirm changes nothing)."""
    if ImportJob.objects.filter(pk=job.pk, preview=True, status=ImportStatus.PENDING).update(preview=False):
        outbox.enqueue(RUN_TASK, job_id=job.pk)
    job.refresh_from_db()
    return job


def preview_rows(job: ImportJob, limit: int = PREVIEW_ROWS) -> dict:
    """The first rows of a file as the import would read them, and their errors; applies nothing.

    ``{"columns": [(field, label)], "rows": [{"row", "values", "errors"}], "error": whole-file message}``."""
    ctx = _Context(job.kind)
    try:
        header, rows = next(iter(read_rows(job.file.path, chunk_rows=limit, normalise_header=normalise_header)),
                            ([], []))
        _check_header(job.kind, header)
    except TabularFileError as exc:
        return {"columns": [], "rows": [], "error": str(exc)}
    except OSError:
        return {"columns": [], "rows": [], "error": _("上传的文件已不存在。")}
    errors: list = []
    _validate_chunk(ctx, rows, errors)
    by_row: dict = {}
    for e in errors:
        by_row.setdefault(e["row"], []).append(e)
    fields = [f for f in REQUIRED[job.kind] + OPTIONAL[job.kind] if f in header]
    return {"columns": [(f, column_label(f)) for f in fields], "error": "",
            "rows": [{"row": line, "values": [raw.get(f, "")[:100] for f in fields], "errors": by_row.get(line, [])}
                     for line, raw in rows if any(raw.values())]}


def _run_lock(job_id: int, take: bool) -> bool:
    with connection.cursor() as cursor:
        if take:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [RUN_LOCK_KEY, job_id])
            return cursor.fetchone()[0]
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [RUN_LOCK_KEY, job_id])
        return True


def run_import(*, job_id: int, on_progress: Callable[[int], None] | None = None) -> ImportJob:
    """Run one ImportJob to the end (the Celery task and the management command both call this).

    Idempotent: a finished or previewed job is left alone, a job another worker is running (advisory lock) is
    skipped, and a job whose worker died resumes after the last chunk it committed.
    """
    job = ImportJob.objects.get(pk=job_id)
    if job.status in (ImportStatus.DONE, ImportStatus.FAILED) or job.preview:
        return job
    if not _run_lock(job.pk, take=True):
        return job
    try:
        _run(job, on_progress)
    finally:
        _run_lock(job.pk, take=False)
    job.refresh_from_db()
    return job


def _run(job: ImportJob, on_progress) -> None:
    jobs = ImportJob.objects.filter(pk=job.pk)
    job.refresh_from_db()
    if job.status in (ImportStatus.DONE, ImportStatus.FAILED):
        return
    if job.attempts >= settings.IMPORT_MAX_ATTEMPTS:
        jobs.update(status=ImportStatus.FAILED, finished_at=timezone.now(), message=_(
            "导入多次中断，已停止：前 %(n)s 行已处理（新增、更新的行已保存，重新导入同一文件不会重复），"
            "其余行未处理。请联系系统管理员。") % {"n": job.rows_done})
        return
    jobs.update(status=ImportStatus.RUNNING, attempts=job.attempts + 1, heartbeat_at=timezone.now())
    path = job.file.path
    last = {"pct": -1}

    def progress(rows_done):
        pct = min(99, rows_done * 100 // max(total, 1))
        if pct != last["pct"]:
            last["pct"] = pct
            jobs.update(progress=pct)
            if on_progress:
                on_progress(pct)

    kept = {"errors": len(job.errors)}

    def record(outcome: Outcome) -> None:
        fields = {}
        if len(outcome.errors) != kept["errors"]:  # the kept list stops growing at its limit: not rewritten
            kept["errors"] = len(outcome.errors)
            fields["errors"] = outcome.errors
        jobs.update(created=outcome.created, updated=outcome.updated, unchanged=outcome.unchanged,
                    rejected=outcome.rejected, error_count=outcome.error_count, rows_done=outcome.rows_done,
                    heartbeat_at=timezone.now(), **fields)

    try:
        total = job.rows_total
        if total is None:
            total = scan_file(kind=job.kind, path=path, chunk_rows=settings.IMPORT_CHUNK_ROWS)
            jobs.update(rows_total=total, heartbeat_at=timezone.now())
        resumed = Outcome(created=job.created, updated=job.updated, unchanged=job.unchanged, rejected=job.rejected,
                          error_count=job.error_count, rows_done=job.rows_done, errors=list(job.errors))
        result = process_file(kind=job.kind, path=path, on_progress=progress, outcome=resumed, on_chunk=record,
                              chunk_rows=settings.IMPORT_CHUNK_ROWS)
    except TabularFileError as exc:
        # Only the scan raises this (the file is read through before the first row is applied).
        jobs.update(status=ImportStatus.FAILED, message=str(exc), finished_at=timezone.now())
        return
    message = ""
    if result["error_count"] > len(result["errors"]):
        message = _("共 %(n)s 处错误，仅列出前 %(k)s 处。") % {"n": result["error_count"], "k": len(result["errors"])}
    jobs.update(status=ImportStatus.DONE, progress=100, message=message, rows_done=total,
                finished_at=timezone.now())


def stale_jobs():
    """Running jobs whose worker died (no report for a while and no one holds the run lock), and queued jobs
    whose message never reached a worker (sent long ago, still pending): the ones the check runs again."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.IMPORT_STALE_SECONDS)
    # A queued message may wait behind other work; it is presumed lost only after the broker would have
    # redelivered it (the visibility timeout).
    lost = now - timedelta(seconds=settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600))
    candidates = ImportJob.objects.filter(
        Q(status=ImportStatus.RUNNING) & (Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True))
        | Q(status=ImportStatus.PENDING, preview=False, created_at__lt=cutoff))
    for job in candidates:
        if outbox.pending(RUN_TASK, job_id=job.pk):
            continue  # still waiting for the broker: the sweep sends it
        if job.status == ImportStatus.PENDING and (outbox.last_sent(RUN_TASK, job_id=job.pk) or lost) > lost:
            continue
        if _run_lock(job.pk, take=True):
            _run_lock(job.pk, take=False)
            yield job


def requeue_stale_jobs() -> list[int]:
    """Queue a fresh run of every stale job (the run resumes after its last committed chunk)."""
    ids = []
    for job in stale_jobs():
        with transaction.atomic():
            outbox.enqueue(RUN_TASK, job_id=job.pk)
        ids.append(job.pk)
    return ids
