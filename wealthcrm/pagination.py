"""Keyset pagination for the API and the HTML list pages (no OFFSET), with whitelisted sorts and page sizes;
totals counted only up to a bound, else estimated; and ids parsed safely."""

import json

from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import Cursor, CursorPagination


class KeysetPagination(CursorPagination):
    """Keyset (cursor) pagination: no COUNT(*) and constant cost at any depth of a million-row list.

    The cursor holds the whole ordering key of the row at the page's edge (``2026-12-05T09:30:00+08:00~8812``),
    as the HTML pages' :func:`keyset_page` does. DRF's own cursor keeps only the first ordering field plus an
    offset into the rows that tie on it: a page after thousands of tier changes of one date read and dropped all
    of them (and stopped at DRF's offset cap of 1,000), and a *previous* link from a page starting inside a tie
    returned a shifted page. A cursor in DRF's form, from a link handed out before, is still followed its way.
    """

    ordering = "-pk"
    page_size_query_param = "page_size"
    max_page_size = 500
    # A list whose scope, filters and ordering one index covers sets this: the page's ids are picked from that
    # index alone (an index-only scan: the ordering fields and the id), then only the page's rows are read by id.
    # Sorting the rows themselves reads every scoped row from the table first — an advisor's ~5,000 contacts
    # scattered over a 10-million-row heap for a page of 50.
    keys_first = False

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if ordering[-1].lstrip("-") in ("pk", "id"):
            return ordering
        return (*ordering, "-id" if ordering[-1].startswith("-") else "id")   # a unique last key: no ties

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self.get_page_size(request)
        if not self.page_size:
            return None
        self.base_url = request.build_absolute_uri()
        self.ordering = self.get_ordering(request, queryset, view)
        self.cursor = self.decode_cursor(request)
        self.drf_cursor = self.cursor is not None and (self.cursor.offset or self.cursor.position is None or len(
            self.cursor.position.split(CURSOR_SEPARATOR)) != len(self.ordering))
        if self.drf_cursor:
            return self._page(super().paginate_queryset, queryset, request, view)
        return self._page(self._keyset_page, queryset, request, view)

    def _page(self, paginate, queryset, request, view):
        if not self.keys_first:
            return paginate(queryset, request, view)
        keys = [name.lstrip("-") for name in self.ordering]
        page = paginate(queryset.only(*keys).prefetch_related(None), request, view)
        rows = queryset.in_bulk([row.pk for row in page])
        self.page = [rows[row.pk] for row in page]
        return self.page

    def _keyset_page(self, queryset, request, view):
        values, back = None, False
        if self.cursor is not None:
            values, back = _cursor_values(queryset, self.ordering, self.cursor.position), self.cursor.reverse
            if values is None:
                raise NotFound(self.invalid_cursor_message)
        self.page, self.has_previous, self.has_next = _keyset_rows(queryset, self.ordering, values, back=back,
                                                                   size=self.page_size)
        self.display_page_controls = self.template is not None and (self.has_next or self.has_previous)
        return self.page

    def get_next_link(self):
        return super().get_next_link() if self.drf_cursor else self._link(reverse=False)

    def get_previous_link(self):
        return super().get_previous_link() if self.drf_cursor else self._link(reverse=True)

    def _link(self, *, reverse: bool) -> str | None:
        if not (self.has_previous if reverse else self.has_next):
            return None
        if self.page:
            position = _cursor_of(self.page[0] if reverse else self.page[-1], self.ordering)
        else:   # an empty page past either end: turn round where the cursor stood
            position = self.cursor.position
        return self.encode_cursor(Cursor(offset=0, reverse=reverse, position=position))


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
            # the column's own limits (digits of a decimal, range of an integer): past them PostgreSQL errors
            field.run_validators(value)
        except ValidationError:
            return None
        if value is None or (field.primary_key and parse_id(part) is None):
            return None
        values.append(value)
    return values


def _ordering_field(queryset, name: str):
    # an annotation (e.g. a ranking value computed per row) parses its cursor part by its output field
    annotation = queryset.query.annotations.get(name)
    if annotation is not None:
        return annotation.output_field
    return queryset.model._meta.pk if name == "pk" else queryset.model._meta.get_field(name)


def _beyond(ordering: tuple[str, ...], values: list, *, forward: bool) -> Q:
    """Rows after (``forward``) or before the cursor in ``ordering``: a lexicographic keyset condition."""
    condition = Q(pk__in=[])
    for k, name in enumerate(ordering):
        field = name.lstrip("-")
        descending = name.startswith("-") == forward
        equal = {other.lstrip("-"): value for other, value in zip(ordering[:k], values[:k], strict=True)}
        condition |= Q(**equal, **{f"{field}__{'lt' if descending else 'gt'}": values[k]})
    if len(ordering) > 1:
        # Implied by the OR above, but only a plain bound on the leading key lets PostgreSQL start its index scan
        # at the cursor instead of reading (and dropping) every row of the pages before it.
        first = ordering[0]
        condition &= Q(**{f"{first.lstrip('-')}__{'lte' if first.startswith('-') == forward else 'gte'}": values[0]})
    return condition


def _keyset_rows(queryset, ordering: tuple[str, ...], values: list | None, *, back: bool, size: int):
    """``(rows, has_prev, has_next)``: the page of ``size`` rows after the cursor ``values`` (before it when
    ``back``; the first page when ``values`` is None), in ``ordering`` either way. Back from a page always leads
    forward again, and forward from a cursor back."""
    if values is not None:
        queryset = queryset.filter(_beyond(ordering, values, forward=not back))
    rows = list(queryset.order_by(*(map(_flip, ordering) if back else ordering))[: size + 1])
    more = len(rows) > size
    if back:
        return rows[:size][::-1], more, True
    return rows[:size], values is not None, more


def _cursor_of(row, ordering: tuple[str, ...]) -> str:
    """The cursor text of ``row``: its values of the ordering, the form :func:`_cursor_values` reads."""
    return CURSOR_SEPARATOR.join(_cursor_text(getattr(row, name.lstrip("-"))) for name in ordering)


def _flip(name: str) -> str:
    return name[1:] if name.startswith("-") else f"-{name}"


PAGE_SIZES = (20, 50, 100)
# Up to this many rows an exact COUNT is cheap enough for every page view.
EXACT_COUNT_BELOW = 20_000


def _requested_ordering(request, ordering, sorts) -> tuple[tuple[str, ...], str]:
    """The ordering a whitelisted ``?sort=key`` (ascending) or ``?sort=-key`` asks for, ending in a unique id
    in the same direction (so ties, e.g. equal AUM, keep one order across pages); else the default."""
    wanted = request.GET.get("sort", "")
    fields = (sorts or {}).get(wanted.removeprefix("-"))
    if not fields:
        return ordering, ""
    descending = wanted.startswith("-")
    return (*(_flip(f) if descending else f for f in fields), "-id" if descending else "id"), wanted


def _requested_size(request, size: int, sizes) -> int:
    wanted = parse_id(request.GET.get("size"))
    return wanted if wanted in sizes else size


def keyset_page(queryset, request, *, ordering: tuple[str, ...] = ("-id",), size: int = 50,
                sorts: dict[str, tuple[str, ...]] | None = None, sizes: tuple[int, ...] = (),
                cursors: tuple[str, str] = ("after", "before")):
    """The one pager of the HTML list pages: keyset pages (``?after=`` / ``?before=``), no COUNT and no OFFSET
    (a page's total, where one is shown, is ``count_or_estimate``).

    ``ordering`` must end in a unique field (the id). ``sorts`` whitelists ``?sort=`` keys, each naming its
    fields in ascending order (``-key`` reverses them); an unknown key is the default ``ordering``, never an
    error. ``sizes`` whitelists ``?size=`` (anything else is ``size``). Returns ``(rows, links)``; ``links`` has
    ``next`` and/or ``prev`` query strings (the other parameters kept) for ``includes/_keyset_pager.html``, and
    with ``sorts``/``sizes`` the ``sort`` and ``size`` in force and the query without them (``base``) for
    sortable headers (``{% sort_header %}``) and page-size links. ``cursors`` renames the two cursor parameters
    on a page whose filters already use ``after`` / ``before``.
    """
    ordering, sort = _requested_ordering(request, ordering, sorts)
    size = _requested_size(request, size, sizes)
    after_param, before_param = cursors
    after = _cursor_values(queryset, ordering, request.GET.get(after_param))
    before = _cursor_values(queryset, ordering, request.GET.get(before_param))
    rows, has_prev, has_next = _keyset_rows(queryset, ordering, before or after, back=bool(before), size=size)
    params = request.GET.copy()
    params.pop(after_param, None)
    params.pop(before_param, None)
    links = {}
    for name, wanted, row in (("next", has_next, rows[-1] if rows else None),
                              ("prev", has_prev, rows[0] if rows else None)):
        if wanted and row is not None:
            cursor = params.copy()
            cursor[after_param if name == "next" else before_param] = _cursor_of(row, ordering)
            links[name] = f"?{cursor.urlencode()}"
    if sorts or sizes:
        base = params.copy()
        for key in ("sort", "size"):
            base.pop(key, None)
        links.update(sort=sort, size=size, sizes=sizes, base=base.urlencode())
    return rows, links


def count_or_estimate(queryset) -> tuple[int, bool]:
    """How many rows ``queryset`` has: ``(n, True)`` counted exactly up to ``EXACT_COUNT_BELOW`` (a COUNT over a
    LIMIT, so its cost is bounded), else ``(n, False)`` from the planner's row estimate (the statistics behind
    ``pg_class.reltuples``): counting a million scoped clients on every page view would cost more than the page."""
    queryset = queryset.order_by()
    counted = queryset[:EXACT_COUNT_BELOW].count()
    if counted < EXACT_COUNT_BELOW:
        return counted, True
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    # The planner can undershoot (a scope's org-path join, say); below the count just made it says only "more".
    return max(int(plan[0]["Plan"]["Plan Rows"]), EXACT_COUNT_BELOW), False


def format_count(n: int, exact: bool) -> str:
    """``共 1,234 条`` when counted; ``约 12.3万 条`` / ``约 1.2亿 条`` when estimated (three figures are all an
    estimate is good for); ``超过 2.0万 条`` when all that is known is that the count stopped at its limit."""
    if exact:
        return _("共 %(n)s 条") % {"n": f"{n:,}"}
    text = f"{n:,}"
    # Chinese reads large numbers in 万 and 亿; other languages in thousands and millions.
    chinese = (translation.get_language() or "zh-hans").startswith("zh")
    for unit, label in ((100_000_000, "亿"), (10_000, "万")) if chinese else ((1_000_000, "M"), (1_000, "k")):
        if n >= unit:
            text = f"{n / unit:.1f}{label}"
            break
    if n <= EXACT_COUNT_BELOW:
        return _("超过 %(n)s 条") % {"n": text}
    return _("约 %(n)s 条") % {"n": text}


def _cursor_text(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
