"""Log a contact: ``POST /api/v1/contacts/`` under 20 concurrent clients.

20 threads, each an advisor with its own token and connection, each posting contacts for its own clients
back to back (no think time: the worst case) to a real server, ``gunicorn wealthcrm.wsgi -w 2`` (DEBUG=0).
The floor is one autocommitted ``INSERT INTO clients_contact`` over psycopg2, one at a time.
"""

import threading
import time
from datetime import UTC, datetime, timedelta

from bench import db, server

NAME = "contact_post"
RUN_DB = db.RUN
CONCURRENCY = 20
PER_CLIENT = 30
WARMUP = 3


def _advisors(cur) -> list[tuple[str, list[int]]]:
    cur.execute("""SELECT advisor_id, (array_agg(id ORDER BY id DESC))[1:10] FROM clients_client
                   WHERE advisor_id IS NOT NULL AND advisor_id <= 500 GROUP BY advisor_id ORDER BY advisor_id
                   LIMIT %s""", [CONCURRENCY])
    return [(server.add_token(cur, advisor_id), clients) for advisor_id, clients in cur.fetchall()]


def _floor(cur, advisors) -> list[float]:
    staff = advisors[0][1][0]
    cur.execute("SELECT advisor_id FROM clients_client WHERE id = %s", [staff])
    advisor_id = cur.fetchone()[0]
    times = []
    for i in range(WARMUP + CONCURRENCY * PER_CLIENT // 3):
        started = time.perf_counter()
        cur.execute("""INSERT INTO clients_contact (channel, purpose, occurred_at, summary, effective, next_action_at,
                       created_at, client_id, staff_id) VALUES ('phone', 'other', now(), %s, true, NULL, now(), %s, %s)
                       RETURNING id""", [f"bench floor {i}", staff, advisor_id])
        cur.fetchone()
        if i >= WARMUP:
            times.append(time.perf_counter() - started)
    return times


def _client(token: str, clients: list[int], out: list, errors: list, start: threading.Barrier) -> None:
    api = server.Api(token)
    occurred = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    start.wait()
    for i in range(WARMUP + PER_CLIENT):
        status, _data, seconds = api.request("POST", "/api/v1/contacts/", {
            "client": clients[i % len(clients)], "channel": "phone", "purpose": "other", "occurred_at": occurred,
            "summary": f"电话回访 {i}", "effective": True})
        if status != 201:
            errors.append(status)
        elif i >= WARMUP:
            out.append(seconds)


def run(ctx) -> dict:
    db.recreate(RUN_DB, template=ctx["template"])
    with db.connect(RUN_DB) as conn, conn.cursor() as cur:
        advisors = _advisors(cur)
        floor = _floor(cur, advisors)
    times, errors, alone = [], [], []
    with server.server(RUN_DB):
        # One client alone first: the service time of a POST without queueing behind 19 others.
        _client(advisors[0][0], advisors[0][1], alone, errors, threading.Barrier(1))
        start = threading.Barrier(len(advisors))
        cpu = time.process_time()
        threads = [threading.Thread(target=_client, args=(token, clients, times, errors, start))
                   for token, clients in advisors]
        began = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - began
        cpu = time.process_time() - cpu  # what the load generator itself took of the 2 cores
    db.drop(RUN_DB)
    ours_s, floor_s = server.percentile(times, 50), server.percentile(floor, 50)
    total = len(times) + len(errors)
    return {"ours_s": ours_s, "floor_s": floor_s, "ratio": ours_s / floor_s, "p95_ms": server.percentile(times, 95) * 1000,
            "peak_rss_mb": None, "errors": len(errors),
            "detail": f"{len(advisors)} concurrent advisors, {total} POSTs in {wall:.1f} s "
                      f"({total / wall:.0f}/s; load generator used {cpu / wall:.0%} of one core); "
                      f"median {ours_s * 1000:.1f} ms; one client alone: median "
                      f"{server.percentile(alone, 50) * 1000:.1f} ms, p95 {server.percentile(alone, 95) * 1000:.1f} ms; "
                      f"floor INSERT p95 "
                      f"{server.percentile(floor, 95) * 1000:.2f} ms; error statuses {sorted(set(errors))}"}
