"""The project and its kernel: what every app builds on, importing none of them (tests/core/test_import_graph.py).

Apps sit on top in one direction — ``clients`` ← ``tiers`` ← ``referrals`` ← ``performance`` — and the kernel
below all of them holds the shared vocabulary and the one copy of each shared rule: the org tree, roles and
data scope (``org``), the business-day calendar, the audit log, notifications, the tier enumeration and who
serves each tier (``tiering``), money (``money``), phone numbers (``phone``), the tabular-file reader
(``tabular``), birthdays (``birthdays``), the keyset pager (``pagination``), task progress (``progress``) and
the health checks (``health``, which apps register into). Settings only read the environment.
"""

from wealthcrm.celery import app as celery_app

__all__ = ["celery_app"]
