"""CSV export of clients: streamed, with spreadsheet formula injection neutralised."""

import csv

from django.http import StreamingHttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value) -> str:
    """A cell that a spreadsheet would run as a formula is written as text (prefixed with a quote)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


class _Echo:
    def write(self, value):
        return value


def csv_lines(header: list[str], rows):
    """Yield encoded CSV lines (UTF-8 with BOM so Excel opens Chinese correctly) for a streaming response."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header)
    for row in rows:
        yield writer.writerow([neutralise_cell(v) for v in row])


def csv_response(header: list[str], rows, *, filename: str) -> StreamingHttpResponse:
    """A streamed CSV download of ``rows`` (no list in memory), cells neutralised by :func:`csv_lines`."""
    response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
