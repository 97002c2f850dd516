"""Demo tiers for ``manage.py seed_demo``: tier history from the AUM snapshots, then tonight's recompute."""

from django.db import connection, transaction
from django.utils import timezone

from clients.models import AumSnapshot, Client
from tiers import services
from tiers.choices import ChangeReason
from tiers.models import TierChange, TierPolicy


def seed(*, stdout, rng, clients) -> None:
    """Idempotent: the history is loaded once; the recompute changes nothing when run again on the same data."""
    if not TierChange.objects.filter(reason=ChangeReason.BACKFILL).exists():
        with transaction.atomic():
            added = services.backfill_history(reason=ChangeReason.BACKFILL)
            _place_at_latest_snapshot()
        stdout.write(f"  tier history from AUM snapshots: {added} changes")
    run = services.recompute_tiers(as_of=timezone.localdate(), reason=ChangeReason.DEMO)
    stdout.write(f"  tiers: {run.clients_total} clients, {run.upgrades} up, {run.downgrades} down today")


def _place_at_latest_snapshot() -> None:
    # The backfilled history ends at each client's latest snapshot; start the live tier there without a record,
    # so that today's recompute only records what changed since (not a second "initial" change per client).
    client, snapshot, policy = Client._meta.db_table, AumSnapshot._meta.db_table, TierPolicy._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"""
UPDATE {client} c SET tier = CASE WHEN s.aum >= p.head_office_floor THEN 'head_office'
                                  WHEN s.aum >= p.branch_floor THEN 'branch' ELSE 'sub_branch' END
FROM (SELECT DISTINCT ON (client_id) client_id, as_of, aum FROM {snapshot} ORDER BY client_id, as_of DESC) s
CROSS JOIN LATERAL (SELECT head_office_floor, branch_floor FROM {policy}
                    WHERE effective_from <= s.as_of ORDER BY effective_from DESC LIMIT 1) p
WHERE c.id = s.client_id""")
