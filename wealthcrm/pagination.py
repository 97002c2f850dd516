"""Keyset pagination for the API and the HTML list pages (no COUNT, no OFFSET), and ids parsed safely."""

from django.core.exceptions import ValidationError
from django.db.models import Q
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


CURSOR_SEPARATOR = "~"


def _cursor_values(queryset, ordering: tuple[str, ...], text: str | None) -> list | None:
    """The row values a cursor names, each parsed by its model field; ``None`` for a missing or forged cursor."""
    parts = (text or "").split(CURSOR_SEPARATOR)
    if not text or len(parts) != len(ordering):
        return None
    values = []
    for name, part in zip(ordering, parts, strict=True):
        field = _ordering_field(queryset, name.lstrip("-"))
        try:
            value = field.to_python(part)
        except ValidationError:
            return None
        if value is None or (field.primary_key and parse_id(part) is None):
            return None
        values.append(value)
    return values


def _ordering_field(queryset, name: str):
    # an annotation (e.g. a ranking value computed per row) parses its cursor part by its output field
    annotation = queryset.query.annotations.get(name)
    return annotation.output_field if annotation is not None else queryset.model._meta.get_field(name)


def _beyond(ordering: tuple[str, ...], values: list, *, forward: bool) -> Q:
    """Rows after (``forward``) or before the cursor in ``ordering``: a lexicographic keyset condition."""
    condition = Q(pk__in=[])
    for k, name in enumerate(ordering):
        field = name.lstrip("-")
        descending = name.startswith("-") == forward
        equal = {other.lstrip("-"): value for other, value in zip(ordering[:k], values[:k], strict=True)}
        condition |= Q(**equal, **{f"{field}__{'lt' if descending else 'gt'}": values[k]})
    return condition


def _flip(name: str) -> str:
    return name[1:] if name.startswith("-") else f"-{name}"


def keyset_page(queryset, request, *, ordering: tuple[str, ...] = ("-id",), size: int = 50,
                cursors: tuple[str, str] = ("after", "before")):
    """The one pager of the HTML list pages: keyset pages (``?after=`` / ``?before=``), no COUNT and no OFFSET.

    ``ordering`` must end in a unique field (the id). Returns ``(rows, links)``; ``links`` has ``next`` and/or
    ``prev`` query strings (the other parameters kept) for ``includes/_keyset_pager.html``. ``cursors`` renames
    the two cursor parameters on a page whose filters already use ``after`` / ``before``.
    """
    after_param, before_param = cursors
    after = _cursor_values(queryset, ordering, request.GET.get(after_param))
    before = _cursor_values(queryset, ordering, request.GET.get(before_param))
    if before:
        rows = list(queryset.filter(_beyond(ordering, before, forward=False))
                    .order_by(*map(_flip, ordering))[: size + 1])
        has_prev, has_next = len(rows) > size, True
        rows = rows[:size][::-1]
    else:
        if after:
            queryset = queryset.filter(_beyond(ordering, after, forward=True))
        rows = list(queryset.order_by(*ordering)[: size + 1])
        has_prev, has_next = bool(after), len(rows) > size
        rows = rows[:size]
    params = request.GET.copy()
    params.pop(after_param, None)
    params.pop(before_param, None)
    links = {}
    for name, wanted, row in (("next", has_next, rows[-1] if rows else None),
                              ("prev", has_prev, rows[0] if rows else None)):
        if wanted and row is not None:
            cursor = params.copy()
            cursor[after_param if name == "next" else before_param] = CURSOR_SEPARATOR.join(
                _cursor_text(getattr(row, field.lstrip("-"))) for field in ordering)
            links[name] = f"?{cursor.urlencode()}"
    return rows, links


def _cursor_text(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
