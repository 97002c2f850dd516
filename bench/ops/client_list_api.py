"""Client list API, filtered by org unit + tier: ``GET /api/v1/clients/?org_unit=<id>&tier=<tier>``.

Through a real server (``gunicorn wealthcrm.wsgi -w 2``, DEBUG=0, token auth), one request at a time, for
four callers: a branch manager listing their (big) branch, an outlet manager listing their (small) outlet, an
advisor listing their own clients, head office listing the head-office tier bank-wide. Each: the first page
``REQUESTS`` times, then the second page (via ``next``) ``REQUESTS // 4`` times. The floor is the same page
fetched with the best hand-written SQL (subtree resolved to unit ids, ``ORDER BY id DESC LIMIT 51``, org unit
and advisor names joined) over psycopg2 on the same database.
"""

import time

from bench import db, server

NAME = "client_list_api"
RUN_DB = db.RUN
REQUESTS = 200
WARMUP = 10

_FLOOR = """
SELECT c.*, o.name AS org_unit_name, s.display_name AS advisor_name
FROM clients_client c JOIN org_orgunit o ON o.id = c.org_unit_id LEFT JOIN org_staff s ON s.id = c.advisor_id
WHERE {where} ORDER BY c.id DESC LIMIT 51"""


def _cases(cur) -> list[dict]:
    cur.execute("SELECT id, path FROM org_orgunit WHERE kind = 'head_office' ORDER BY id LIMIT 1")
    head_id, head_path = cur.fetchone()
    cur.execute("SELECT id, path FROM org_orgunit WHERE kind = 'branch' ORDER BY id LIMIT 1")
    branch_id, branch_path = cur.fetchone()
    cur.execute("SELECT id, path FROM org_orgunit WHERE kind = 'outlet' AND path LIKE %s ORDER BY id DESC LIMIT 1",
                [branch_path + "%"])
    outlet_id, outlet_path = cur.fetchone()
    cur.execute("""SELECT c.advisor_id, s.org_unit_id FROM clients_client c JOIN org_staff s ON s.id = c.advisor_id
                   WHERE c.org_unit_id = %s GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 1""", [outlet_id])
    advisor_id, advisor_unit = cur.fetchone()

    def subtree(path):
        cur.execute("SELECT array_agg(id) FROM org_orgunit WHERE path LIKE %s", [path + "%"])
        return cur.fetchone()[0]

    _bm_id, bm_token = server.add_user(cur, username="bench_bm_branch", role="branch_manager", org_unit_id=branch_id)
    _om_id, om_token = server.add_user(cur, username="bench_bm_outlet", role="branch_manager", org_unit_id=outlet_id)
    _ho_id, ho_token = server.add_user(cur, username="bench_ho", role="head_office", org_unit_id=head_id)
    adv_token = server.add_token(cur, advisor_id)
    return [
        {"label": "branch mgr, branch", "token": bm_token, "query": f"org_unit={branch_id}&tier=sub_branch",
         "where": "c.org_unit_id = ANY(%(units)s) AND c.tier = 'sub_branch'", "units": subtree(branch_path)},
        {"label": "outlet mgr, outlet, tier=branch", "token": om_token, "query": f"org_unit={outlet_id}&tier=branch",
         "where": "c.org_unit_id = ANY(%(units)s) AND c.tier = 'branch'", "units": subtree(outlet_path)},
        {"label": "advisor, own", "token": adv_token, "query": f"org_unit={advisor_unit}&tier=sub_branch",
         "where": "c.advisor_id = %(advisor)s AND c.org_unit_id = ANY(%(units)s) AND c.tier = 'sub_branch'",
         "advisor": advisor_id, "units": subtree(_path(cur, advisor_unit))},
        {"label": "head office, tier=head_office", "token": ho_token, "query": f"org_unit={head_id}&tier=head_office",
         "where": "c.tier = 'head_office'", "units": subtree(head_path)},
    ]


def _path(cur, unit_id):
    cur.execute("SELECT path FROM org_orgunit WHERE id = %s", [unit_id])
    return cur.fetchone()[0]


def _floor(cur, case: dict) -> dict:
    sql = _FLOOR.format(where=case["where"])
    params = {"units": case["units"], "advisor": case.get("advisor")}
    first, second, last_id = [], [], None
    for i in range(WARMUP + REQUESTS):
        started = time.perf_counter()
        cur.execute(sql, params)
        rows = cur.fetchall()
        if i >= WARMUP:
            first.append(time.perf_counter() - started)
        last_id = rows[-2][0] if len(rows) > 50 else None  # the 50th row: where page 2 starts
    if last_id is not None:
        page2 = _FLOOR.format(where=case["where"] + " AND c.id < %(after)s")
        for _i in range(REQUESTS // 4):
            started = time.perf_counter()
            cur.execute(page2, {**params, "after": last_id})
            cur.fetchall()
            second.append(time.perf_counter() - started)
    return {"first": first, "second": second, "rows": len(rows)}


def _ours(case: dict) -> dict:
    api = server.Api(case["token"])
    url = f"/api/v1/clients/?{case['query']}"
    first, second, errors, rows, next_url = [], [], 0, 0, None
    for i in range(WARMUP + REQUESTS):
        status, data, seconds = api.request("GET", url)
        if status != 200:
            errors += 1
            continue
        if i >= WARMUP:
            first.append(seconds)
        rows, next_url = len(data["results"]), data.get("next")
    if next_url:
        path = next_url.split("://", 1)[-1]
        path = path[path.index("/"):]
        for _i in range(REQUESTS // 4):
            status, data, seconds = api.request("GET", path)
            errors += status != 200
            second.append(seconds)
    return {"first": first, "second": second, "errors": errors, "rows": rows}


def run(ctx) -> dict:
    db.recreate(RUN_DB, template=ctx["template"])
    with db.connect(RUN_DB) as conn, conn.cursor() as cur:
        cases = _cases(cur)
        floors = [_floor(cur, case) for case in cases]
    with server.server(RUN_DB):
        ours = [_ours(case) for case in cases]
    db.drop(RUN_DB)
    ms = lambda values: server.percentile(values, 95) * 1000  # noqa: E731
    parts, worst = [], None
    for case, mine, floor in zip(cases, ours, floors, strict=True):
        p95, p95_floor = ms(mine["first"]), ms(floor["first"])
        p2 = f", page 2 {ms(mine['second']):.1f}" if mine["second"] else ""
        parts.append(f"{case['label']}: p95 {p95:.1f} ms{p2} (floor {p95_floor:.2f} ms, {mine['rows']} rows)")
        if worst is None or p95 > worst[0]:
            worst = (p95, mine, floor)
    _p95, mine, floor = worst
    ours_s = server.percentile(mine["first"], 50)
    floor_s = server.percentile(floor["first"], 50)
    return {"ours_s": ours_s, "floor_s": floor_s, "ratio": ours_s / floor_s, "p95_ms": worst[0],
            "peak_rss_mb": None, "errors": sum(o["errors"] for o in ours),
            "detail": "median request of the slowest case (gunicorn -w 2) vs its SQL; " + "; ".join(parts)}
