"""The lists that can be exported. Each app declares its own in its ``exports`` module::

    register(ExportKind(code="clients", label=_("客户清单"), roles=CLIENT_DATA_ROLES,
                        rows=client_rows, columns=client_columns))

``rows(user, params)`` is the list page's own queryset for ``user`` with the page's filters (a ``QueryDict``)
applied — the same ``visible_to`` and FilterSet the page uses — and raises ``ValidationError`` for filters the
page would refuse. ``columns()`` maps each Chinese header to an ORM expression over a row (see ``sql``): the
export's ``SELECT`` is ``rows(...).values(**columns())``. ``columns=None`` means ``rows`` already selects its
own headed columns (a grouped summary such as the funnel).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import QueryDict

KINDS: dict[str, "ExportKind"] = {}


@dataclass(frozen=True)
class ExportKind:
    code: str
    label: str
    roles: frozenset
    rows: Callable[..., object]
    columns: Callable[[], dict] | None = None
    # Row lists newest first are written in id ranges (progress between them; memory flat at any size);
    # other orders and grouped summaries in one statement.
    order: tuple[str, ...] = ("-pk",)
    # Where the page lives, for the job page's "back to the list" link.
    page: str = ""
    # The page's keyset cursor, not a filter of its rows (the audit log's after/before are filters).
    paging: tuple[str, ...] = ("after", "before")

    @property
    def chunked(self) -> bool:
        return self.columns is not None and self.order == ("-pk",)

    def allows(self, user) -> bool:
        return bool(getattr(user, "is_authenticated", False)) and user.has_role(*self.roles)

    def queryset(self, user, params: QueryDict):
        """The rows of the export as the page shows them to ``user``, with the headed columns selected."""
        rows = self.rows(user, params)
        return rows if self.columns is None else rows.order_by(*self.order).values(**self.columns())


def register(kind: ExportKind) -> ExportKind:
    KINDS[kind.code] = kind
    return kind


def label_of(code: str) -> str:
    kind = KINDS.get(code)
    return str(kind.label) if kind else code


class FilterRequest:
    """What a FilterSet reads of a request (``request.user``), for building a page's filters outside a request."""

    def __init__(self, user):
        self.user = user


def valid_rows(filterset):
    """The rows of a page's FilterSet (built with ``request=FilterRequest(user)``); filters it refuses raise."""
    if not filterset.is_valid():
        raise ValidationError({name: list(errors) for name, errors in filterset.errors.items()})
    return filterset.qs
