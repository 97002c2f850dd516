"""Writing rule-computed days into the calendar table, for ``services`` and the seeding migration alike.

Takes the model as an argument so that a data migration can pass its historical model.
"""

from collections.abc import Iterable

from django.db import connections, transaction

from wealthcrm.calendar import rules

MANUAL = "manual"
# One PostgreSQL advisory lock serialises every write to the calendar (seeding vs. manual entries), across
# processes: a reseed must never overwrite a manual row written between its read and its upsert.
LOCK_KEY = 0x5743_414C  # "WCAL"


def lock_calendar(using: str = "default") -> None:
    """Take the calendar write lock until the end of the current transaction."""
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def upsert_rule_rows(model, rows: Iterable[rules.DayRule], *, using: str = "default") -> int:
    """Insert or update ``rows`` in one statement, leaving manual rows untouched. Returns rows written."""
    rows = list(rows)
    if not rows:
        return 0
    with transaction.atomic(using=using):
        lock_calendar(using)
        manual = set(
            model._default_manager.using(using)
            .filter(date__range=(rows[0].date, rows[-1].date), source=MANUAL)
            .values_list("date", flat=True)
        )
        objs = [
            model(date=row.date, is_business_day=row.is_business_day, name=row.name, source=row.source,
                  updated_by=None)
            for row in rows if row.date not in manual
        ]
        model._default_manager.using(using).bulk_create(
            objs, batch_size=1000, update_conflicts=True, unique_fields=["date"],
            update_fields=["is_business_day", "name", "source", "updated_at", "updated_by"],
        )
    return len(objs)


def seed_years(model, years: Iterable[int], *, using: str = "default") -> int:
    return sum(upsert_rule_rows(model, rules.compute_year(year), using=using) for year in years)
