"""SQL for files PostgreSQL writes itself (``COPY (SELECT ...) TO STDOUT WITH CSV``): cells as the pages show them.

Columns are ORM expressions, so a list's own scoped, filtered queryset becomes the ``SELECT`` of its export
(``queryset.values(**columns)``, compiled with ``sql_with_params`` and bound with psycopg2's ``mogrify``): the
scope is never written twice.
"""

from contextlib import contextmanager

from django.conf import settings
from django.db.models import Case, CharField, DecimalField, F, Func, TextField, Value, When
from django.db.models.functions import Cast, Coalesce, NullIf
from psycopg2.extensions import TRANSACTION_STATUS_INERROR

# A cell a spreadsheet would run as a formula starts with one of these (API.md "Import files": exports
# neutralise it, written as text with a leading quote, never as a formula).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMULA_START = "^[" + "".join({"-": "\\-", "\t": "\\t", "\r": "\\r"}.get(c, c) for c in FORMULA_PREFIXES) + "]"


def neutralised_sql(expr: str) -> str:
    """Raw SQL: ``expr`` as text a spreadsheet never runs (``%(formula_start)s`` bound to :data:`FORMULA_START`)."""
    return f"CASE WHEN {expr} ~ %(formula_start)s THEN '''' || {expr} ELSE {expr} END"


def text(expr) -> Func:
    """A text cell, formula-safe: a leading ``= + - @`` (or tab, CR) gets a quote in front of it."""
    source = F(expr) if isinstance(expr, str) else expr
    return Func(Cast(source, TextField()), Value("(" + FORMULA_START + ")"), Value("'\\1"),
                function="regexp_replace", output_field=TextField())


def wan(expr) -> Func:
    """An amount in 万 with 2 places, truncated like ``wealthcrm.money.to_wan`` (as the pages show it)."""
    source = F(expr) if isinstance(expr, str) else expr
    return Func(source / Value(10_000), Value(2), function="trunc", output_field=DecimalField())


def label(field: str, choices) -> Case:
    """A choice field as its (Chinese) label; an unknown code stays as it is, made formula-safe."""
    return Case(*[When(**{field: code}, then=Value(str(name))) for code, name in choices],
                default=text(field), output_field=CharField())


def local_time(expr: str) -> Func:
    """A timestamp as the bank reads it: ``YYYY-MM-DD HH:MM:SS`` in its zone, not the connection's UTC."""
    return Func(Func(Value(settings.TIME_ZONE), F(expr), function="timezone"), Value("YYYY-MM-DD HH24:MI:SS"),
                function="to_char", output_field=CharField())


def staff_name(relation: str) -> Func:
    """A member of staff as the pages name them: display name, else username (formula-safe)."""
    return text(Coalesce(NullIf(F(f"{relation}__display_name"), Value("")), F(f"{relation}__username")))


def yes_no(expr, yes: str, no: str) -> Case:
    return Case(When(**{expr: True}, then=Value(yes)), default=Value(no), output_field=CharField())


def copy_chunk(cursor, statement: str, out) -> None:
    """One ``COPY ... TO STDOUT`` into ``out`` (its own function so a test can make it fail half-way)."""
    cursor.copy_expert(statement, out)


@contextmanager
def ranges_without_jit(cursor):
    """A file written as one ``COPY`` per id range, without JIT: each range's plan is costly enough for PostgreSQL to
    JIT-compile it, in the leader and each parallel worker, every time — ~140 ms per range at a million clients,
    about 1.5 s of the client list, to save less. Set for the session (not ``SET LOCAL``: the progress written
    between ranges must commit as it goes) and reset after, done or failed. ``cursor``: psycopg2's own."""
    cursor.execute("SET jit = off")
    try:
        yield
    finally:
        if cursor.connection.get_transaction_status() != TRANSACTION_STATUS_INERROR:
            cursor.execute("RESET jit")   # a failed transaction's rollback undoes the SET itself
