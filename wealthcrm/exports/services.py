"""Exports of lists: requested from a page with its filters, written by PostgreSQL in Celery, downloaded when ready.

What is exported is exactly what the page shows its user: the kind's ``rows`` is the page's ``visible_to``
queryset with the page's FilterSet, compiled to SQL (``sql_with_params``) and bound with ``mogrify`` inside
``COPY (SELECT ...) TO STDOUT WITH CSV HEADER``, so PostgreSQL writes the file and memory stays flat. The scope
is applied again when the worker runs (a requester who lost the role gets a failed job, not the data).
Every request and every download is an audit event (PRODUCT.md "Privacy").
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Max, Min
from django.http import QueryDict
from django.utils import translation
from django.utils.translation import gettext as _

from wealthcrm.audit import services as audit
from wealthcrm.audit.choices import AuditAction
from wealthcrm.exports import building, sql
from wealthcrm.exports.models import ExportJob
from wealthcrm.exports.registry import KINDS, ExportKind

# One key space for "building export N" in PostgreSQL's advisory locks ("expt" in ASCII).
BUILD_LOCK_KEY = 0x65787074
# Ids per COPY statement of a chunked export: steady progress, statements' overhead noise next to the rows.
CHUNK_IDS = 50_000
# Query parameters of a page that are not filters of its rows (besides the kind's keyset cursor).
NOT_FILTERS = frozenset({"format", "page", "csrfmiddlewaretoken"})
MAX_FILTER_CHARS = 2_000


def kind_for(code: str, user) -> ExportKind:
    """The export ``code`` if ``user`` may use it (the page's roles); an unknown code is a 404, a role a 403."""
    kind = KINDS.get(code)
    if kind is None:
        raise LookupError(code)
    if not kind.allows(user):
        raise PermissionDenied
    return kind


def clean_filters(kind: ExportKind, params: QueryDict) -> dict[str, list[str]]:
    """The page's filters as stored with the job: paging dropped, NULs removed (jsonb refuses them)."""
    skip = NOT_FILTERS | set(kind.paging)
    filters = {key.replace("\x00", ""): [v.replace("\x00", "") for v in values]
               for key, values in params.lists() if key not in skip}
    if sum(len(k) + sum(map(len, v)) for k, v in filters.items()) > MAX_FILTER_CHARS:
        raise ValidationError({"filters": [_("筛选条件过长。")]})
    return filters


def as_query(filters: dict[str, list[str]]) -> QueryDict:
    params = QueryDict(mutable=True)
    for key, values in filters.items():
        params.setlist(key, values)
    return params


def request_export(*, actor, code: str, params: QueryDict, request=None) -> ExportJob:
    """Record and audit the request; the caller hands it to a worker with ``tasks.enqueue_export``.

    The filters are checked now, as the page checks them: filters the page refuses are a ``ValidationError``.
    """
    kind = kind_for(code, actor)
    filters = clean_filters(kind, params)
    kind.queryset(actor, as_query(filters))  # builds (does not run) the query: bad filters raise here
    job = ExportJob.objects.create(kind=kind.code, filters=filters, requested_by=actor)
    audit.record(action=AuditAction.EXPORT, actor=actor, obj=job, request=request,
                 detail={"stage": "requested", "list": kind.code, "filters": filters})
    return job


def build_export(*, job_id: int, on_progress=None) -> ExportJob:
    return building.build_file(
        ExportJob, job_id, lock_key=BUILD_LOCK_KEY, write=_write, on_progress=on_progress,
        name=lambda job: f"exports/{job.requested_at:%Y/%m}/{job.kind}-{job.pk}.csv",
        failure=_("导出失败，未产生文件。请重新导出；如再次失败请联系系统管理员。"))


def _write(job: ExportJob, path: str, progress) -> int:
    user = job.requested_by
    kind = KINDS[job.kind]
    if not (user.is_active and kind.allows(user)):
        raise PermissionDenied(f"{user} may no longer export {kind.code}")
    with translation.override(settings.LANGUAGE_CODE):  # headers and labels in Chinese, whoever asked
        return write_csv(kind, user, as_query(job.filters), path, progress)


def write_csv(kind: ExportKind, user, params: QueryDict, path: str, progress) -> int:
    """Write the export to ``path``: UTF-8 with a BOM (Excel reads Chinese), a header row, then the rows.

    A chunked kind walks id ranges from the newest down, one ``COPY`` each, the header with the first only.
    """
    rows = kind.rows(user, params)
    with open(path, "wb") as out, connection.cursor() as wrapper:
        out.write("\ufeff".encode())
        cursor = wrapper.cursor  # psycopg2's own cursor: copy_expert and mogrify are not in Django's wrapper
        if not kind.chunked:
            return _copy(cursor, kind.queryset(user, params), out, header=True)
        bounds = rows.order_by().aggregate(low=Min("pk"), high=Max("pk"))
        low, high = bounds["low"] or 0, bounds["high"] or 0
        columns = kind.columns()
        total, upper, header = 0, high, True
        with sql.ranges_without_jit(cursor):
            while header or upper >= low:
                chunk = rows.filter(pk__gt=upper - CHUNK_IDS, pk__lte=upper).order_by("-pk").values(**columns)
                total += _copy(cursor, chunk, out, header=header)
                header = False
                upper -= CHUNK_IDS
                progress(100 * (high - upper) // max(1, high - low + 1))
        return total


def _copy(cursor, queryset, out, *, header: bool) -> int:
    statement, params = queryset.query.sql_with_params()
    select = cursor.mogrify(statement, params).decode()
    options = "FORMAT csv, HEADER true" if header else "FORMAT csv"
    sql.copy_chunk(cursor, f"COPY ({select}) TO STDOUT WITH ({options})", out)
    return max(cursor.rowcount, 0)


def record_download(*, job: ExportJob, actor, request=None) -> None:
    """Every download is an export of the data: one audit event per download."""
    audit.record(action=AuditAction.EXPORT, actor=actor, obj=job, request=request,
                 detail={"stage": "downloaded", "list": job.kind, "rows": job.row_count})


def delete_expired_exports() -> int:
    return building.delete_expired(ExportJob)
