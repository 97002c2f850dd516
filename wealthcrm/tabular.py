"""The one tabular-file reader: CSV (UTF-8 with or without BOM, GBK/GB18030) and XLSX, streamed in chunks.

Used by the core-banking imports (``clients.imports``) and the calendar's manual-file upload. CSV goes through
``pandas.read_csv(chunksize=...)`` with every cell read as text, XLSX through openpyxl's read-only mode, so a
50 MB extract never sits in memory whole. Bounds hold whatever the file says about itself: an XLSX is measured by
its zip members' declared sizes before it is opened (a 1 MB file may expand to gigabytes; the zip reader never
inflates a member past its declared size), its sheet is read to the last row whatever ``<dimension>`` claims,
and ``max_rows`` stops a file with too many rows. Rows come as ``(line, {column: text})`` where ``line`` is the line in
the file (header = 1); the caller names the columns (``normalise_header``) and validates the cells.
"""

import codecs
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime

import pandas as pd
from django.conf import settings
from django.utils.translation import gettext as _

CHUNK_ROWS = 5000
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls

Chunk = tuple[list[str], list[tuple[int, dict[str, str]]]]


class TabularFileError(Exception):
    """The file as a whole cannot be read (encoding, format, empty, header)."""


def empty_file_error() -> TabularFileError:
    return TabularFileError(_("文件为空：第一行应为表头。"))


@contextmanager
def _binary(source):
    """A seekable binary handle on ``source``: a path, or an open file (an upload), left open for its owner."""
    if isinstance(source, str | bytes) or hasattr(source, "__fspath__"):
        with open(source, "rb") as fh:
            yield fh
    else:
        source.seek(0)
        yield source


def detect_csv_encoding(fh) -> str:
    """UTF-8 (with or without BOM), else GB18030 (a superset of GBK); anything else is refused.

    The whole file is decoded incrementally first (cheap next to parsing), so a bad byte deep inside a
    file fails before anything is applied instead of half-way through.
    """
    fh.seek(0)
    head = fh.read(4)
    if head.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise TabularFileError(_("不支持的文件编码（UTF-16）：请另存为 UTF-8 或 GBK 编码的 CSV。"))
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        fh.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while block := fh.read(1 << 20):
                if b"\x00" in block:
                    raise TabularFileError(_("无法识别的文件格式：请上传 CSV 或 XLSX 文件。"))
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        fh.seek(0)
        return encoding
    raise TabularFileError(_("无法识别的文件编码：请另存为 UTF-8 或 GBK 编码的 CSV。"))


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


def _header_text(raw) -> str:
    return str(raw if raw is not None else "").strip().lstrip("\ufeff").strip()


def _iter_csv(fh, chunk_rows: int, normalise_header) -> Iterator[Chunk]:
    # The binary handle with its encoding, not a text wrapper: pandas buffers a text handle whole (+125 MB
    # for a 70 MB file), a binary one chunk by chunk.
    encoding = detect_csv_encoding(fh)
    try:
        reader = pd.read_csv(fh, encoding=encoding, dtype=str, keep_default_na=False, skip_blank_lines=False,
                             chunksize=chunk_rows, skipinitialspace=False)
    except pd.errors.EmptyDataError:
        raise empty_file_error() from None
    line = 1
    header = None
    try:
        for frame in reader:
            if header is None:
                header = [normalise_header(_header_text(c)) for c in frame.columns]
            rows = []
            for values in frame.itertuples(index=False, name=None):
                line += 1
                rows.append((line, dict(zip(header, (("" if v is None else str(v).strip()) for v in values),
                                            strict=False))))
            yield header, rows
    except pd.errors.ParserError as exc:
        raise TabularFileError(
            _("CSV 格式有误（第 %(line)s 行附近）：请检查引号和分隔符。") % {"line": line + 1}) from exc
    if header is None:
        raise empty_file_error()


def check_xlsx_expansion(fh) -> None:
    """Refuse an XLSX whose parts would expand past the limits, from the zip directory alone (nothing inflated).

    Shared strings are loaded whole by the reader, so they have their own, smaller limit."""
    import zipfile

    try:
        with zipfile.ZipFile(fh) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise TabularFileError(_("无法读取 Excel 文件：请上传 .xlsx 格式（Excel 2007 及以上）。")) from exc
    finally:
        fh.seek(0)
    total = sum(m.file_size for m in members)
    shared = sum(m.file_size for m in members if m.filename.lower().endswith("sharedstrings.xml"))
    limit, shared_limit = settings.TABULAR_MAX_UNCOMPRESSED_BYTES, settings.TABULAR_MAX_SHARED_STRINGS_BYTES
    if total > limit or shared > shared_limit:
        raise TabularFileError(
            _("Excel 文件解压后过大（%(size)s MB，上限 %(limit)s MB）：请另存为 CSV 或拆分后分批导入。")
            % {"size": total // (1 << 20), "limit": limit // (1 << 20)})


def _iter_xlsx(fh, chunk_rows: int, normalise_header) -> Iterator[Chunk]:
    from openpyxl import load_workbook

    check_xlsx_expansion(fh)
    try:
        workbook = load_workbook(fh, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign zip
        raise TabularFileError(_("无法读取 Excel 文件：请上传 .xlsx 格式（Excel 2007 及以上）。")) from exc
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # the declared <dimension> may stop short of the last row or column
        rows_iter = sheet.iter_rows(values_only=True)
        header = None
        for first in rows_iter:
            header = [normalise_header(_header_text(c)) for c in first]
            break
        if header is None or not any(header):
            raise empty_file_error()
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


def read_rows(source, *, chunk_rows: int = CHUNK_ROWS, normalise_header: Callable[[str], str] = str.lower,
              max_rows: int | None = None) -> Iterator[Chunk]:
    """Yield ``(header, [(line, {column: text}), ...])`` chunks of a CSV or XLSX file (a path or an open file).

    Raises ``TabularFileError`` for a file that cannot be read at all, or (``max_rows``) that has more data rows
    than that — raised with the chunk that crosses the limit, so a caller that must apply all or nothing reads
    the file through once before applying anything.
    """
    with _binary(source) as fh:
        magic = fh.read(4)
        fh.seek(0)
        if not magic:
            raise empty_file_error()
        if magic.startswith(OLE_MAGIC):
            raise TabularFileError(_("不支持旧版 Excel（.xls）文件：请另存为 .xlsx 或 CSV。"))
        reader = _iter_xlsx if magic == XLSX_MAGIC else _iter_csv
        for header, rows in reader(fh, chunk_rows, normalise_header):
            if max_rows is not None and rows and rows[-1][0] - 1 > max_rows:
                raise TabularFileError(_("文件超过 %(n)s 行：请拆分后分批导入。") % {"n": max_rows})
            yield header, rows
