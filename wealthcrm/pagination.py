"""Keyset pagination for the API and the HTML list pages (no COUNT, no OFFSET), and ids parsed safely."""

from rest_framework.pagination import CursorPagination


class KeysetPagination(CursorPagination):
    """Keyset (cursor) pagination: no COUNT(*) and constant cost at any depth of a million-row list."""

    ordering = "-pk"
    page_size_query_param = "page_size"
    max_page_size = 500


def parse_id(value) -> int | None:
    """A positive integer id from a query or form value, else ``None`` (never a 500 on "abc" or "²")."""
    text = str(value or "").strip()
    # ASCII digits only: str.isdigit() accepts "²", which int() rejects.
    return int(text) if text.isascii() and text.isdigit() else None


def keyset_page(queryset, request, size: int = 50):
    """Keyset pages on ``-id`` (``?after=`` / ``?before=``): no COUNT and no OFFSET at any depth."""
    after, before = parse_id(request.GET.get("after")), parse_id(request.GET.get("before"))
    if before:
        rows = list(queryset.filter(id__gt=before).order_by("id")[: size + 1])
        has_more = len(rows) > size
        rows = rows[:size][::-1]
        has_prev, has_next = has_more, True
    else:
        if after:
            queryset = queryset.filter(id__lt=after)
        rows = list(queryset.order_by("-id")[: size + 1])
        has_next = len(rows) > size
        rows = rows[:size]
        has_prev = bool(after)
    params = request.GET.copy()
    params.pop("after", None)
    params.pop("before", None)
    links = {}
    if rows and has_next:
        links["next"] = f"?{params.urlencode()}&after={rows[-1].id}".replace("?&", "?")
    if rows and has_prev:
        links["prev"] = f"?{params.urlencode()}&before={rows[0].id}".replace("?&", "?")
    return rows, links
