"""The queries behind one page, slowest first, with their ``EXPLAIN (ANALYZE, BUFFERS)``, on the kept data set.

    python -m bench.explain --user <staff id> /tiers/reassign/ [/audit/?before=... ...]

Runs the page in-process (Django's test client, signed in as that member of staff) on the ``--keep``/``--reuse``
benchmark database, inside a transaction that is rolled back: a page that writes (an audit event on the client
360) leaves nothing behind. Prints each page's query count and total SQL time, then the slowest queries' plans.
"""

import argparse
import os
import sys
import time

from bench import data, db


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.explain", description=__doc__)
    parser.add_argument("--user", type=int, required=True, help="org_staff id to sign in as")
    parser.add_argument("--top", type=int, default=3, help="plans of the slowest N queries per page")
    parser.add_argument("urls", nargs="+")
    args = parser.parse_args(argv)
    os.environ.update({"DATABASE_URL": db.url_for(db.BASE), "FIELD_ENCRYPTION_KEY": data.FIELD_KEY,
                       "DJANGO_SETTINGS_MODULE": "wealthcrm.settings"})
    import django

    django.setup()
    from django.db import connection, transaction
    from django.test import Client as Browser
    from django.test.utils import CaptureQueriesContext

    from wealthcrm.org.models import Staff

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            browser = Browser()
            browser.force_login(Staff.objects.get(pk=args.user))
            for url in args.urls:
                accept = "application/json" if url.startswith("/api/") else "text/html"
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    response = browser.get(url, HTTP_ACCEPT=accept)
                    body = b"".join(response.streaming_content) if response.streaming else response.content
                    seconds = time.perf_counter() - started
                sql_s = sum(float(q["time"]) for q in queries.captured_queries)
                print(f"\n=== {url}: HTTP {response.status_code}, {len(body) / 1024:.0f} KB, {seconds * 1000:.0f} ms, "
                      f"{len(queries.captured_queries)} queries, SQL {sql_s * 1000:.0f} ms")
                slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[: args.top]
                for query in slowest:
                    print(f"\n--- {float(query['time']) * 1000:.1f} ms: {query['sql'][:600]}")
                    if query["sql"].startswith("EXPLAIN"):  # a count estimate reads the plan itself
                        continue
                    with connection.cursor() as cur:
                        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                        print("\n".join(row[0] for row in cur.fetchall()))
            raise Rollback
    except Rollback:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
