"""Every page and API list a role opens daily, from a real server: ``pages:<role>:<path>`` rows, p50/p95.

Users are the staff of the largest branch (by clients) plus head office, signed in with real sessions (made by
``django.contrib.auth.login`` in a child process sharing the server's secrets). Each row is ``REQUESTS`` distinct
requests — different users of the role, filters, pages and keyset cursors — one at a time against
``gunicorn wealthcrm.wsgi -w 2`` (DEBUG=0), after ``WARMUP`` unmeasured ones. A row counts as errors every answer
that is not 200 (a page that fails fast must not look fast). There is no hand-written SQL floor for a whole page:
``floor_s`` and ``ratio`` are null; ``ours_s`` is the median. ``client_search``, ``my_day`` and ``branch_dashboard``
come from the same run (``bench/ops/client_search.py``, ``bench/ops/my_day.py``, ``bench/ops/branch_dashboard.py``).
"""

import http.client
import json
import os
import random
import subprocess
import sys
import time
from datetime import date, timedelta
from urllib.parse import quote

from bench import data, db, server

NAME = "pages"
REQUESTS = int(os.environ.get("BENCH_PAGE_REQUESTS", "40"))
# Only the rows whose name holds one of these comma-separated texts (e.g. "dashboard,board"), with ``--only pages``:
# a quicker look at a few pages while working on them; a run for latest.md leaves it unset.
ROWS = [text for text in os.environ.get("BENCH_PAGE_ROWS", "").split(",") if text]
WARMUP = 3
EXPORT_REQUESTS = 6     # a whole branch's CSV per request: fewer of them
_measured = {}          # template → every row, so client_search and my_day reuse the one server run


def measure_ours(*staff_ids: str) -> dict:
    """Child process (``bench.worker``): a signed-in session per member of staff, as the login page makes."""
    from django.test import Client as Browser

    from wealthcrm.org.models import Staff

    sessions = {}
    for staff in Staff.objects.filter(pk__in=[int(i) for i in staff_ids]):
        browser = Browser()
        browser.force_login(staff)
        sessions[staff.pk] = browser.cookies["sessionid"].value
    return {"sessions": sessions}


def _sessions(staff_ids: list[int]) -> dict[int, str]:
    out = subprocess.run([sys.executable, "-m", "bench.worker", NAME, *map(str, staff_ids)],
                         env=server.server_env(db.RUN), check=True, capture_output=True, text=True, cwd=server.ROOT)
    return {int(k): v for k, v in json.loads(out.stdout.strip().splitlines()[-1])["sessions"].items()}


def _get(session: str, url: str) -> tuple[int, bytes, float]:
    conn = http.client.HTTPConnection("127.0.0.1", server.PORT, timeout=120)
    headers = {"Cookie": f"sessionid={session}",
               "Accept": "application/json" if url.startswith("/api/") else "text/html"}
    started = time.perf_counter()
    conn.request("GET", url, headers=headers)
    response = conn.getresponse()
    body = response.read()
    seconds = time.perf_counter() - started
    conn.close()
    return response.status, body, seconds


def _people(cur) -> dict:
    """The largest branch's staff by role (busiest first) and head office, with what their URLs vary over."""
    cur.execute("""SELECT b.id, b.path FROM org_orgunit b JOIN org_orgunit o ON o.path LIKE b.path || '%%'
                   JOIN clients_client c ON c.org_unit_id = o.id WHERE b.kind = 'branch'
                   GROUP BY b.id, b.path ORDER BY count(*) DESC, b.id LIMIT 1""")
    branch_id, branch_path = cur.fetchone()

    def staff(role, where="", limit=REQUESTS):
        cur.execute(f"""SELECT s.id FROM org_staff s JOIN org_orgunit o ON o.id = s.org_unit_id
                        WHERE s.role = %s AND o.path LIKE %s {where} ORDER BY s.id LIMIT %s""",
                    [role, branch_path + "%", limit])
        return [r[0] for r in cur.fetchall()]

    cur.execute("""SELECT advisor_id FROM clients_client c JOIN org_orgunit o ON o.id = c.org_unit_id
                   JOIN org_staff s ON s.id = c.advisor_id AND s.role = 'advisor'
                   WHERE o.path LIKE %s GROUP BY advisor_id ORDER BY count(*) DESC LIMIT %s""", [branch_path + "%", REQUESTS])
    advisors = [r[0] for r in cur.fetchall()]
    cur.execute("SELECT id FROM org_staff WHERE role = 'head_office' ORDER BY id")
    head_office = [r[0] for r in cur.fetchall()]
    # Managers: the branch's own manager on every other request (the widest scope), its sub-branches' the rest.
    branch_mgr = staff("branch_manager", f"AND o.id = {branch_id}", 1)
    sub_mgrs = staff("branch_manager", "AND o.kind = 'sub_branch'", 4)
    people = {"advisor": advisors, "account_manager": staff("account_manager"), "hall_staff": staff("hall_staff"),
              "branch_manager": [m for pair in zip(branch_mgr * len(sub_mgrs), sub_mgrs, strict=True) for m in pair],
              "head_office": head_office}
    cur.execute("SELECT id FROM org_orgunit WHERE path LIKE %s AND kind = 'sub_branch' ORDER BY id",
                [branch_path + "%"])
    subs = [r[0] for r in cur.fetchall()]
    clients_of = {}
    for advisor in advisors:
        cur.execute("SELECT id FROM clients_client WHERE advisor_id = %s ORDER BY id", [advisor])
        clients_of[advisor] = [r[0] for r in cur.fetchall()]
    cur.execute("""SELECT c.id, c.client_no, c.name FROM clients_client c JOIN org_orgunit o ON o.id = c.org_unit_id
                   WHERE o.path LIKE %s ORDER BY c.id""", [branch_path + "%"])
    branch_clients = cur.fetchall()
    clients_under = {}
    for manager in set(people["branch_manager"]):
        cur.execute("""SELECT c.id FROM clients_client c JOIN org_orgunit o ON o.id = c.org_unit_id
                       WHERE o.path LIKE (SELECT path FROM org_staff s JOIN org_orgunit u ON u.id = s.org_unit_id
                                          WHERE s.id = %s) || '%%' ORDER BY c.id""", [manager])
        clients_under[manager] = [r[0] for r in cur.fetchall()]
    cur.execute("SELECT id, org_unit_id FROM org_staff WHERE id = ANY(%s)", [list(set(people["branch_manager"]))])
    unit_of = dict(cur.fetchall())
    cur.execute("SELECT max(at) FROM audit_auditevent")
    latest_audit = cur.fetchone()[0]
    return {"people": people, "branch": branch_id, "subs": subs, "clients_of": clients_of, "clients_under": clients_under,
            "unit_of": unit_of, "branch_clients": branch_clients, "latest_audit": latest_audit}


def _rows(ctx: dict, rng: random.Random) -> list[tuple[str, str, object]]:
    """(role, row path, i → url): each call gives the i-th distinct request of the row."""
    clients_of, branch_clients, subs = ctx["clients_of"], ctx["branch_clients"], ctx["subs"]
    people = ctx["people"]

    def own(i):  # a client of the i-th advisor of the rotation
        mine = clients_of[people["advisor"][i % len(people["advisor"])]]
        return rng.choice(mine)

    def any_client(_i):
        return rng.choice(branch_clients)[0]

    def cursor(i):
        return "" if i % 3 == 0 else f"?after={any_client(i)}"

    def before(i):
        return (ctx["latest_audit"] - timedelta(days=i * 7 + 1)).isoformat()

    tiers = ("", "?tier=sub_branch", "?tier=branch", "?tier=head_office")
    last_month = f"{(date.today().replace(day=1) - timedelta(days=1)):%Y-%m}"

    def dashboard(i, user):  # the branch manager (even i) drills into a sub-branch or opens last month
        if i % 2:
            return ""
        return ("", f"?unit={rng.choice(subs)}", f"?period={last_month}", f"?unit={rng.choice(subs)}&period={last_month}")[i // 2 % 4]

    board_tabs = ("open", "due_today", "breached", "unassigned")
    rows = [
        ("advisor", "/", lambda i, user: "/"),
        ("advisor", "/clients/", lambda i, user: ("/clients/" + tiers[i % 4]) if i % 2 else f"/clients/{cursor(i)}"),
        ("advisor", "/clients/<id>/", lambda i, user: f"/clients/{own(i)}/"),
        ("advisor", "/tiers/near-threshold/", lambda i, user: "/tiers/near-threshold/" + ("", "?tier=sub_branch")[i % 2]),
        ("advisor", "/referrals/inbox/", lambda i, user: "/referrals/inbox/"),
        ("advisor", "/referrals/mine/", lambda i, user: "/referrals/mine/"),
        ("advisor", "/notifications/", lambda i, user: "/notifications/" + ("", "?unread=1")[i % 2]),
        ("advisor", "/api/v1/clients/", lambda i, user: "/api/v1/clients/" + tiers[i % 4]),
        ("advisor", "/api/v1/contacts/", lambda i, user: "/api/v1/contacts/" + ("", f"?client={own(i)}")[i % 2]),
        ("advisor", "/api/v1/referrals/", lambda i, user: "/api/v1/referrals/" + ("", "?status=recommended")[i % 2]),
        ("account_manager", "/", lambda i, user: "/"),
        ("account_manager", "/clients/", lambda i, user: "/clients/" + tiers[i % 2]),
        ("hall_staff", "/", lambda i, user: "/"),
        ("hall_staff", "/referrals/new/", lambda i, user: "/referrals/new/"),
        ("hall_staff", "/referrals/mine/", lambda i, user: "/referrals/mine/" + ("", "?page=2")[i % 2]),
        ("branch_manager", "/", lambda i, user: "/"),
        ("branch_manager", "/clients/", lambda i, user: f"/clients/{cursor(i)}"),
        ("branch_manager", "/clients/<id>/", lambda i, user: f"/clients/{rng.choice(ctx['clients_under'][user])}/"),
        ("branch_manager", "/api/v1/clients/",
         # a unit in the user's own scope: the branch manager the branch or a sub-branch, the others their own unit
         lambda i, user: f"/api/v1/clients/?org_unit={ctx['unit_of'][user] if i % 2 else rng.choice([ctx['branch'], *subs])}"
                   f"&tier={('sub_branch', 'branch')[i % 4 // 2]}"),
        # Exports run in Celery now (issue 20): what a manager opens is the list of their export jobs.
        ("branch_manager", "/exports/", lambda i, user: "/exports/"),
        ("branch_manager", "/tiers/distribution/",
         lambda i, user: "/tiers/distribution/" + ("" if i % 2 else f"?unit={rng.choice(subs)}")),
        ("branch_manager", "/tiers/near-threshold/", lambda i, user: "/tiers/near-threshold/" + ("", "?page=2")[i % 2]),
        ("branch_manager", "/tiers/changes/", lambda i, user: "/tiers/changes/" + ("", "?direction=upgrade")[i % 2]),
        ("branch_manager", "/tiers/reassign/", lambda i, user: "/tiers/reassign/" + ("", "?page=2")[i % 2]),
        ("branch_manager", "/referrals/board/", lambda i, user: f"/referrals/board/?tab={board_tabs[i % 4]}"),
        ("branch_manager", "/referrals/funnel/", lambda i, user: "/referrals/funnel/"),
        ("branch_manager", "/referrals/inbox/", lambda i, user: "/referrals/inbox/"),
        ("branch_manager", "/api/v1/referrals/", lambda i, user: "/api/v1/referrals/" + ("", "?sla_breached=true")[i % 2]),
        ("branch_manager", "/performance/dashboard/", lambda i, user: "/performance/dashboard/" + dashboard(i, user)),
        ("branch_manager", "/api/v1/dashboard/", lambda i, user: "/api/v1/dashboard/" + dashboard(i, user)),
        ("head_office", "/", lambda i, user: "/"),
        ("head_office", "/clients/", lambda i, user: "/clients/" + (tiers[i % 4] or cursor(i))),
        ("head_office", "/api/v1/clients/", lambda i, user: "/api/v1/clients/?tier=" + ("head_office", "branch")[i % 2]),
        ("head_office", "/referrals/board/?tab=breached",
         lambda i, user: "/referrals/board/?tab=breached" + ("", "&page=2")[i % 2]),
        ("head_office", "/referrals/board/", lambda i, user: "/referrals/board/?tab=" + board_tabs[i % 4]),
        ("head_office", "/referrals/funnel/", lambda i, user: "/referrals/funnel/"),
        ("head_office", "/tiers/reassign/", lambda i, user: "/tiers/reassign/" + ("", "?page=2")[i % 2]),
        ("head_office", "/tiers/distribution/", lambda i, user: "/tiers/distribution/"),
        ("head_office", "/tiers/near-threshold/", lambda i, user: "/tiers/near-threshold/" + tiers[i % 3]),
        ("head_office", "/tiers/changes/", lambda i, user: "/tiers/changes/" + ("", "?direction=downgrade")[i % 2]),
        ("head_office", "/audit/", lambda i, user: "/audit/" + ("", "?action=reveal")[i % 2]),
        ("head_office", "/audit/?before=…", lambda i, user: f"/audit/?before={quote(before(i))}"),
        ("head_office", "/api/v1/audit-events/", lambda i, user: "/api/v1/audit-events/"),
        ("head_office", "/api/v1/referrals/", lambda i, user: "/api/v1/referrals/" + ("", "?status=recommended")[i % 2]),
        ("head_office", "/api/v1/tier-changes/", lambda i, user: "/api/v1/tier-changes/"),
        ("head_office", "/notifications/", lambda i, user: "/notifications/"),
        ("head_office", "/performance/dashboard/",
         lambda i, user: "/performance/dashboard/" + ("", f"?unit={ctx['branch']}", f"?period={last_month}")[i % 3]),
        ("head_office", "/api/v1/dashboard/",
         lambda i, user: "/api/v1/dashboard/" + ("", f"?unit={ctx['branch']}", f"?period={last_month}")[i % 3]),
    ]
    return rows


def _searches(ctx: dict, rng: random.Random):
    """Client search as a manager and head office types it: (kind, query, expected client id or None)."""
    sample = rng.sample(ctx["branch_clients"], min(len(ctx["branch_clients"]), REQUESTS))
    for i, (client_id, client_no, name) in enumerate(sample):
        kind = ("name_start", "name_part", "client_no", "phone")[i % 4]
        query = {"name_start": name[:2], "name_part": name[1:], "client_no": client_no,
                 "phone": data.phone_of(client_id)}[kind]
        yield kind, query, client_id


def _row(times: list[float], errors: int, sizes: list[int], users: int, extra: str = "") -> dict:
    if not times:
        return {"ours_s": None, "floor_s": None, "ratio": None, "p95_ms": None, "peak_rss_mb": None,
                "errors": errors, "detail": extra or "no successful request"}
    p50 = server.percentile(times, 50)
    return {"ours_s": p50, "floor_s": None, "ratio": None, "p95_ms": server.percentile(times, 95) * 1000,
            "peak_rss_mb": None, "errors": errors,
            "detail": f"p50 {p50 * 1000:.1f} ms, {len(times)} distinct requests by {users} users, "
                      f"avg {sum(sizes) / len(sizes) / 1024:.0f} KB{extra}"}


def measure(template: str) -> dict:
    if template in _measured:
        return _measured[template]
    rng = random.Random(20)
    db.recreate(db.RUN, template=template)
    with db.connect(db.RUN) as conn, conn.cursor() as cur:
        ctx = _people(cur)
    everyone = sorted({s for ids in ctx["people"].values() for s in ids})
    sessions = _sessions(everyone)
    results = {}
    with server.server(db.RUN):
        for role, path, url_of in _rows(ctx, rng):
            if ROWS and not any(text in f"{role}:{path}" for text in ROWS):
                continue
            users = ctx["people"][role]
            count = EXPORT_REQUESTS if path.endswith(".csv") else REQUESTS
            times, sizes, errors, statuses, slowest = [], [], 0, set(), (0.0, "")
            for i in range(WARMUP + count):
                user = users[i % len(users)]
                url = url_of(i, user)
                status, body, seconds = _get(sessions[user], url)
                if status != 200:
                    errors += 1
                    statuses.add(status)
                elif i >= WARMUP:
                    times.append(seconds)
                    sizes.append(len(body))
                    slowest = max(slowest, (seconds, url))
            # the slowest request names the tail: which filter, tab or cursor it was
            extra = f"; slowest {slowest[0] * 1000:.0f} ms {slowest[1]}" if times else ""
            results[f"pages:{role}:{path}"] = _row(times, errors, sizes or [0], len(set(users)),
                                                   extra + (f"; statuses {sorted(statuses)}" if statuses else ""))
        results["client_search"] = _search(ctx, rng, sessions)
        peak = server.workers_peak_rss_mb()
    db.drop(db.RUN)
    slowest = max((k for k in results if k.startswith("pages:") and results[k]["p95_ms"] is not None),
                  key=lambda k: results[k]["p95_ms"])
    worst = results[slowest]
    if "pages:advisor:/" in results:    # not when BENCH_PAGE_ROWS leaves it out
        results["my_day"] = {**results["pages:advisor:/"], "detail": "advisor home (工作台): "
                             + results["pages:advisor:/"]["detail"]}
    results[NAME] = {"ours_s": None, "floor_s": None, "ratio": None, "p95_ms": worst["p95_ms"], "peak_rss_mb": peak,
                     "errors": sum(r["errors"] or 0 for k, r in results.items() if k.startswith("pages:")),
                     "detail": f"{sum(k.startswith('pages:') for k in results)} rows below; slowest p95 {slowest}; "
                               f"peak RSS of a gunicorn worker over the whole run"}
    _measured[template] = results
    return results


def _search(ctx: dict, rng: random.Random, sessions: dict) -> dict:
    """``GET /api/v1/clients/?search=`` by the branch manager and head office; hits checked where one is known."""
    users = ctx["people"]["branch_manager"][:2] + ctx["people"]["head_office"][:2]
    times, by_kind, errors, sizes = [], {}, 0, []
    for i, (kind, query, expected) in enumerate(_searches(ctx, rng)):
        status, body, seconds = _get(sessions[users[i % len(users)]], f"/api/v1/clients/?search={quote(query)}")
        if status != 200:
            errors += 1
            continue
        times.append(seconds)
        sizes.append(len(body))
        found = json.loads(body)["results"]
        stats = by_kind.setdefault(kind, {"times": [], "hits": 0})
        stats["times"].append(seconds)
        stats["hits"] += expected in [c["id"] for c in found]   # the client looked for is on the first page
    parts = [f"{kind} p95 {server.percentile(s['times'], 95) * 1000:.1f} ms, found {s['hits']}/{len(s['times'])}"
             for kind, s in by_kind.items()]
    return _row(times, errors, sizes or [0], len(users), "; " + "; ".join(parts))


def run(ctx) -> dict:
    return {"rows": {k: v for k, v in measure(ctx["template"]).items() if k.startswith(NAME)}}
