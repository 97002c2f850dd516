"""Build the benchmark data set with PostgreSQL COPY (never ORM saves), streamed: constant memory at any N."""

import io
import math
import random
from datetime import datetime, timedelta, timezone

ORG_BRANCHES, SUBS_PER_BRANCH, OUTLETS_PER_SUB = 10, 4, 4   # 1 + 10 + 40 + 160 = 211 org units
ADVISORS = 2000


class _RowsFile(io.RawIOBase):
    """A read-only file over an iterator of text lines, for ``copy_expert`` without building the whole file."""

    def __init__(self, lines):
        self._lines, self._buffer = lines, b""

    def readable(self):
        return True

    def readinto(self, target):
        while len(self._buffer) < len(target):
            chunk = "".join(line for _, line in zip(range(2000), self._lines, strict=False))
            if not chunk:
                break
            self._buffer += chunk.encode()
        n = min(len(target), len(self._buffer))
        target[:n], self._buffer = self._buffer[:n], self._buffer[n:]
        return n


def copy(cur, table: str, columns: list[str], lines) -> None:
    cur.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", io.BufferedReader(_RowsFile(lines), 1 << 20))


def build(conn, *, clients: int, seed: int = 2026) -> dict:
    rng = random.Random(seed)
    cur = conn.cursor()
    units = []   # (id, kind, path)
    next_id = 1

    def unit(kind, parent_path):
        nonlocal next_id
        uid, next_id = next_id, next_id + 1
        units.append((uid, kind, f"{parent_path}{uid:06d}/", kind))
        return units[-1]

    head = unit("head_office", "")
    tree = []
    for _b in range(ORG_BRANCHES):
        branch = unit("branch", head[2])
        for _s in range(SUBS_PER_BRANCH):
            sub = unit("sub_branch", branch[2])
            outlets = [unit("outlet", sub[2]) for _o in range(OUTLETS_PER_SUB)]
            tree.append((branch, sub, outlets))
    parents = {u[2]: u[0] for u in units}
    copy(cur, "org_orgunit", ["id", "code", "name", "kind", "path", "parent_id"], (
        f"{uid}\tB{uid:05d}\t机构{uid}\t{kind}\t{path}\t{parents.get(path[:-7], chr(92) + 'N')}\n"
        for uid, kind, path, _ in units))
    front = [u for u in units if u[1] != "head_office"]
    staff = [(i + 1, front[i % len(front)]) for i in range(ADVISORS)]
    copy(cur, "org_staff", ["id", "password", "is_superuser", "username", "first_name", "last_name", "email",
                            "is_staff", "is_active", "date_joined", "display_name", "role", "org_unit_id"], (
        f"{sid}\t!\tf\tbench{sid}\t\t\t\tf\tt\t2026-01-01 00:00:00+08\t顾问{sid}\tadvisor\t{u[0]}\n"
        for sid, u in staff))
    by_unit = {}
    for sid, u in staff:
        by_unit.setdefault(u[0], []).append(sid)
    outlets = [u for u in units if u[1] == "outlet"]

    def client_lines():
        for cid in range(1, clients + 1):
            # log-normal AUM, median 300万: ~6% reach 2000万, ~0.2% reach 1亿 — a private-banking book
            aum = round(math.exp(rng.gauss(math.log(3_000_000), 1.2)), 2)
            investable = f"{aum * rng.uniform(1.0, 4.0):.2f}" if rng.random() < 0.6 else "\\N"
            contribution = f"{aum * rng.uniform(0.002, 0.02):.2f}" if rng.random() < 0.5 else "\\N"
            u = outlets[cid % len(outlets)]
            advisor = rng.choice(by_unit.get(u[0]) or [1])
            yield (f"{cid}\tC{cid:010d}\t客户{cid}\t\t\t\t\t\t\t\t[]\t\t\t\t\t{aum:.2f}\t{investable}\t{contribution}"
                   f"\tsub_branch\tf\t\t2026-01-01 00:00:00+08\t2026-01-01 00:00:00+08\t{advisor}\t{u[0]}\n")

    copy(cur, "clients_client", ["id", "client_no", "name", "id_number", "id_number_hash", "phone", "phone_hash",
                                 "gender", "occupation", "risk_level", "tags", "investment_preferences",
                                 "acquisition_channel", "household_relation", "company_role", "aum",
                                 "investable_assets", "contribution", "tier", "near_threshold", "value_segment",
                                 "created_at", "updated_at", "advisor_id", "org_unit_id"], client_lines())

    # one contact per client on average over the 180 days before 2026-03-31 (activity feeds the value segment)
    end = datetime(2026, 3, 31, 10, tzinfo=timezone(timedelta(hours=8)))
    copy(cur, "clients_contact", ["id", "channel", "purpose", "occurred_at", "summary", "effective", "next_action_at",
                                  "created_at", "client_id", "staff_id"], (
        f"{kid}\tphone\tother\t{(end - timedelta(days=rng.randrange(0, 180))).isoformat()}\t\t"
        f"{'t' if rng.random() < 0.7 else 'f'}\t\\N\t2026-01-01 00:00:00+08\t{rng.randrange(1, clients + 1)}"
        f"\t{rng.randrange(1, ADVISORS + 1)}\n" for kid in range(1, clients + 1)))
    sales = clients // 4
    copy(cur, "clients_productsale", ["id", "sold_on", "product_category", "amount", "fee_income", "advisor_id",
                                      "client_id"], (
        f"{sid}\t{_day(rng)}\tfund\t{sid}.00\t0\t\\N\t{rng.randrange(1, clients + 1)}\n" for sid in range(1, sales + 1)))
    for table in ("org_orgunit", "org_staff", "clients_client", "clients_contact", "clients_productsale"):
        cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    cur.close()
    return {"org_units": len(units), "staff": ADVISORS, "clients": clients, "contacts": clients, "sales": sales}


def _day(rng) -> str:
    return f"2026-{rng.randrange(1, 4):02d}-{rng.randrange(1, 29):02d}"
