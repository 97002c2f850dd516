"""Build the PERFORMANCE.md data set, scaled by ``clients`` (1,000,000 = the full bank), with bulk SQL only.

Rows that Python must compute (org units, staff, clients with encrypted personal data and blind indexes,
households, companies, referrals) go in with ``COPY``, streamed: constant memory at any N. The volume tables
derived from them (24 monthly AUM snapshots and 10 contacts per client, the tier-change history read off the
snapshots, referral events, 2 audit events per client, notifications) are generated inside PostgreSQL with
``INSERT … SELECT generate_series`` — no rows cross the wire at all. Never an ORM save.

Per 1M clients (PERFORMANCE.md): 2,000 advisors plus managers, head office, hall staff and account managers over
211 org units; 200,000 referrals in every status with consistent SLA fields; 10M contacts; 24M snapshots;
2M audit events. Contacts and audit events are inserted in time order (ids grow with time, as in production).
"""

import base64
import hashlib
import io
import math
import random
import time as clock
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta, timezone

ORG_BRANCHES, SUBS_PER_BRANCH, OUTLETS_PER_SUB = 10, 4, 4   # 1 + 10 + 40 + 160 = 211 org units
ADVISORS_PER_MILLION = 2000
REFERRALS_PER_CLIENT = 0.2
CONTACTS_PER_CLIENT = 10
SNAPSHOT_MONTHS = 24
AUDIT_PER_CLIENT = 2
HEAD_OFFICE_STAFF = 20
# The bank's tier floors (tiers migration 0002: 1亿 / 2000万), used to place clients with the right advisors.
HEAD_OFFICE_FLOOR, BRANCH_FLOOR = 100_000_000, 20_000_000
# The last month-end with snapshots: the AUM import benchmark loads the month after (2026-04-30).
LAST_MONTH_END = date(2026, 3, 31)
BANK_TZ = timezone(timedelta(hours=8))
NULL = "\\N"   # COPY's text format
# A fixed Fernet key for the synthetic personal data: the server the benchmark starts must decrypt what was built.
FIELD_KEY = base64.urlsafe_b64encode(hashlib.sha256(b"wealthcrm bench: synthetic personal data").digest()).decode()

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
            "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = ("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建红文辉宇鹏飞浩然子轩梓涵一诺欣怡雨泽思远佳琪"
         "晨曦志国海燕春梅晓东立新永明德胜嘉怡若曦俊杰博文天佑安琪凯瑞承泽")
OCCUPATIONS = ("企业主", "企业高管", "医生", "律师", "教师", "公务员", "自由职业", "退休", "金融从业者", "")
CHANNELS = ("all_staff", "corporate_private", "cross_industry", "hall", "remote", "existing_uplift", "")


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


@contextmanager
def bulk_load(cur, tables: tuple[str, ...]):
    """Load ``tables`` without their secondary indexes, unique and foreign-key constraints, then put them back
    exactly as they were (``pg_get_indexdef``/``pg_get_constraintdef``): one sort per index and one join per key
    instead of maintaining them row by row — the standard way to bulk-load PostgreSQL."""
    cur.execute("""SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
                   WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('u', 'f')""", [list(tables)])
    constraints = cur.fetchall()
    cur.execute("""SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index
                   WHERE indrelid = ANY(%s::regclass[]) AND NOT indisprimary
                     AND indexrelid NOT IN (SELECT conindid FROM pg_constraint)""", [list(tables)])
    indexes = cur.fetchall()
    for table, name, _definition in constraints:
        cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cur.execute(f"DROP INDEX {name}")
    yield
    for _name, definition in indexes:
        cur.execute(definition)
    for table, name, definition in sorted(constraints, key=lambda c: c[2].startswith("FOREIGN")):
        cur.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def personal_data_codec():
    """The app's own ``encrypt`` and ``blind_index`` (wealthcrm.crypto) under the benchmark's key."""
    from django.conf import settings

    if not settings.configured:
        settings.configure(FIELD_ENCRYPTION_KEY=FIELD_KEY)
    if settings.FIELD_ENCRYPTION_KEY != FIELD_KEY:
        raise RuntimeError("the benchmark data must be encrypted with bench.data.FIELD_KEY")
    from wealthcrm import crypto

    return crypto.encrypt, crypto.blind_index


def phone_of(client_id: int) -> str:
    """A distinct mobile number per client (11 digits, 13x–19x), so a phone search has exactly one answer."""
    return f"1{3 + client_id % 7}{client_id * 7919 % 1_000_000_000:09d}"


def name_of(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _tier(aum: float) -> str:
    return "head_office" if aum >= HEAD_OFFICE_FLOOR else "branch" if aum >= BRANCH_FLOOR else "sub_branch"


def _next_business_day_close(moment: datetime) -> datetime:
    """18:00 on the first weekday after ``moment``'s Shanghai date (the calendar's holidays are ignored here)."""
    day = moment.astimezone(BANK_TZ).date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(18, 0), tzinfo=BANK_TZ)


def _ts(value: datetime | None) -> str:
    return "\\N" if value is None else value.isoformat()


class _Bank:
    """The organisation and its staff, with ids assigned here so that clients and referrals can point at them."""

    def __init__(self, clients: int):
        self.units = []          # (id, kind, path, parent_id)
        self.staff = []          # (id, username, role, unit_id, display_name)
        head = self._unit("head_office", None)
        self.branches = []       # [{"unit", "centre": [advisor ids], "subs": [...]}]
        for _b in range(ORG_BRANCHES):
            branch = {"unit": self._unit("branch", head), "centre": [], "subs": []}
            for _s in range(SUBS_PER_BRANCH):
                sub = {"unit": self._unit("sub_branch", branch["unit"]), "advisors": [], "outlets": []}
                for _o in range(OUTLETS_PER_SUB):
                    sub["outlets"].append({"unit": self._unit("outlet", sub["unit"]), "managers": [], "hall": []})
                branch["subs"].append(sub)
            self.branches.append(branch)
        advisors = max(ORG_BRANCHES * (1 + SUBS_PER_BRANCH), round(ADVISORS_PER_MILLION * clients / 1_000_000))
        centre_each = max(1, advisors // 10 // ORG_BRANCHES)   # ~10% at the branch private-banking centres
        sub_total = advisors - centre_each * ORG_BRANCHES
        subs = [sub for branch in self.branches for sub in branch["subs"]]
        # Advisors first and contiguous: the generated contacts pick a random one by id range.
        for branch in self.branches:
            branch["centre"] = [self._staff("advisor", branch["unit"], "pb") for _ in range(centre_each)]
        for i in range(sub_total):
            subs[i % len(subs)]["advisors"].append(self._staff("advisor", subs[i % len(subs)]["unit"], "adv"))
        self.advisor_ids = (self.staff[0][0], self.staff[-1][0])
        self.head_office = [self._staff("head_office", head, "ho") for _ in range(HEAD_OFFICE_STAFF)]
        for branch in self.branches:
            branch["manager"] = self._staff("branch_manager", branch["unit"], "mgr")
            for sub in branch["subs"]:
                sub["manager"] = self._staff("branch_manager", sub["unit"], "mgr")
                for outlet in sub["outlets"]:
                    outlet["manager"] = self._staff("branch_manager", outlet["unit"], "mgr")
                    outlet["managers"] = [self._staff("account_manager", outlet["unit"], "am") for _ in range(2)]
                    outlet["hall"] = [self._staff("hall_staff", outlet["unit"], "hall") for _ in range(2)]
        # Where clients live: every outlet, the first branch twice as big as the others (the "largest branch").
        self.outlets = [(branch, sub, outlet) for b, branch in enumerate(self.branches) for sub in branch["subs"]
                        for outlet in sub["outlets"] for _w in range(2 if b == 0 else 1)]

    def _unit(self, kind, parent):
        uid = len(self.units) + 1
        path = (parent[2] if parent else "") + f"{uid:06d}/"
        self.units.append((uid, kind, path, parent[0] if parent else None))
        return self.units[-1]

    def _staff(self, role, unit, prefix):
        sid = len(self.staff) + 1
        self.staff.append((sid, f"{prefix}{unit[0]:03d}_{sid}", role, unit[0], f"{name_of(_NAMES)}"))
        return sid


_NAMES = random.Random(7)


def build(conn, *, clients: int, seed: int = 2026) -> dict:
    started = clock.perf_counter()
    rng = random.Random(seed)
    encrypt, blind_index = personal_data_codec()
    now = datetime.now(BANK_TZ).replace(microsecond=0)
    bank = _Bank(clients)
    cur = conn.cursor()

    copy(cur, "org_orgunit", ["id", "code", "name", "kind", "path", "parent_id"], (
        f"{uid}\tB{uid:05d}\t{_unit_name(kind, uid)}\t{kind}\t{path}\t{NULL if parent is None else parent}\n"
        for uid, kind, path, parent in bank.units))
    copy(cur, "org_staff", ["id", "password", "is_superuser", "username", "first_name", "last_name", "email",
                            "is_staff", "is_active", "date_joined", "display_name", "role", "org_unit_id"], (
        f"{sid}\t!\tf\t{username}\t\t\t\tf\tt\t2024-01-01 00:00:00+08\t{display}\t{role}\t{unit}\n"
        for sid, username, role, unit, display in bank.staff))

    households, companies = max(1, clients // 10), max(1, clients // 20)
    copy(cur, "clients_household", ["id", "name", "note", "created_at"], (
        f"{hid}\t{rng.choice(SURNAMES)}氏家庭{hid}\t\t2024-01-01 00:00:00+08\n" for hid in range(1, households + 1)))
    copy(cur, "clients_company", ["id", "name", "credit_code", "industry", "org_unit_id", "corporate_manager_id"], (
        f"{cid}\t{rng.choice(SURNAMES)}氏实业有限公司{cid}\t91{cid:016d}\t"
        f"{rng.choice(('制造业', '批发零售', '信息技术', '房地产', '医药'))}\t"
        f"{bank.branches[cid % ORG_BRANCHES]['unit'][0]}\t\\N\n" for cid in range(1, companies + 1)))

    client_units = {}   # client id → (branch, sub, outlet): where referrals of existing clients come from

    def client_lines():
        for cid in range(1, clients + 1):
            # log-normal AUM, median 300万: ~6% reach 2000万, ~0.2% reach 1亿 — a private-banking book
            aum = round(math.exp(rng.gauss(math.log(3_000_000), 1.2)), 2)
            branch, sub, outlet = rng.choice(bank.outlets)
            if cid <= clients * REFERRALS_PER_CLIENT:
                client_units[cid] = (branch, sub, outlet)
            tier = _tier(aum)
            # ~1% still with an advisor of the other tier's team (moved tier, not reassigned yet: /tiers/reassign/)
            if (tier != "sub_branch") != (rng.random() < (0.1 if tier != "sub_branch" else 0.005)):
                advisor = rng.choice(branch["centre"])
            elif rng.random() < 0.85:
                advisor = rng.choice(sub["advisors"])
            else:
                advisor = rng.choice(outlet["managers"])
            born = date(1945, 1, 1) + timedelta(days=rng.randrange(0, 20_000))
            phone = phone_of(cid)
            id_number = f"110101{born:%Y%m%d}{cid % 1000:03d}{rng.choice('0123456789X')}"
            household = rng.randrange(1, households + 1) if rng.random() < 0.3 else None
            company = rng.randrange(1, companies + 1) if rng.random() < 0.2 else None
            assessed = LAST_MONTH_END + timedelta(days=rng.randrange(-500, 230)) if rng.random() < 0.9 else None
            investable = f"{aum * rng.uniform(1.0, 4.0):.2f}" if rng.random() < 0.6 else "\\N"
            contribution = f"{aum * rng.uniform(0.002, 0.02):.2f}" if rng.random() < 0.5 else "\\N"
            yield "\t".join((
                str(cid), f"C{cid:010d}", name_of(rng), encrypt(id_number), blind_index(id_number), encrypt(phone),
                blind_index(phone), born.isoformat(), rng.choice("MF"), rng.choice(OCCUPATIONS),
                rng.choice(("C1", "C2", "C3", "C3", "C4", "C5")), "\\N" if assessed is None else assessed.isoformat(),
                "", "[]", rng.choice(CHANNELS), str(household or "\\N"),
                rng.choice(("self", "spouse", "child", "parent")) if household else "", str(company or "\\N"),
                rng.choice(("legal_rep", "shareholder", "executive", "employee")) if company else "",
                f"{aum:.2f}", LAST_MONTH_END.isoformat(), investable, contribution, tier, "f", "",
                "2024-01-01 00:00:00+08", "2024-01-01 00:00:00+08", str(advisor), str(outlet["unit"][0]))) + "\n"

    counts = {}
    # The clients' indexes too are built once everything is loaded: the contacts phase rewrites every client's
    # last-contact columns, and with its two dozen indexes in place that one UPDATE took over five minutes at 1M.
    with bulk_load(cur, ("clients_client", "clients_aumsnapshot", "tiers_tierchange", "clients_contact",
                         "referrals_referralevent", "audit_auditevent", "clients_productsale",
                         "notifications_notification")):
        _copy_clients(cur, client_lines())
        phases = {"clients": clock.perf_counter() - started}
        for phase, fill in (
                ("snapshots", lambda: _snapshots(cur)),
                ("contacts", lambda: _contacts(cur, clients, bank, now)),
                ("referrals", lambda: _referrals(cur, rng, clients, bank, client_units, encrypt, blind_index, now)),
                ("audit_events", lambda: _audit(cur, clients, bank, now)),
                ("sales", lambda: _sales_and_notifications(cur))):
            mark = clock.perf_counter()
            counts[phase] = fill()
            phases[phase] = clock.perf_counter() - mark
        mark = clock.perf_counter()
    phases["indexes and keys"] = clock.perf_counter() - mark
    cur.execute("""INSERT INTO tiers_tierrun (as_of, reason, status, started_at, finished_at, clients_total,
                   rows_updated, upgrades, downgrades, error)
                   VALUES (%s, 'nightly', 'done', %s, %s, %s, 0, 0, 0, '')""",
                [LAST_MONTH_END, now - timedelta(hours=8), now - timedelta(hours=8) + timedelta(seconds=90), clients])
    # ... and the tier mix per unit that run counted (tiers.services.refresh_tier_counts), read by the tier pages
    cur.execute("""INSERT INTO tiers_tiercount (org_unit_id, tier, clients, aum, refreshed_at)
                   SELECT org_unit_id, tier, count(*), sum(aum), %s FROM clients_client GROUP BY org_unit_id, tier""",
                [now - timedelta(hours=8) + timedelta(seconds=90)])
    for table in ("org_orgunit", "org_staff", "clients_household", "clients_company", "clients_client"):
        cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    mark = clock.perf_counter()
    cur.execute("ANALYZE")   # the statistics the planner needs (tier_recompute's settle vacuums and freezes)
    phases["analyze"] = clock.perf_counter() - mark
    cur.execute("SELECT count(*) FROM tiers_tierchange")
    counts["tier_changes"] = cur.fetchone()[0]
    cur.close()
    return {"org_units": len(bank.units), "staff": len(bank.staff),
            "advisors": bank.advisor_ids[1] - bank.advisor_ids[0] + 1, "clients": clients, **counts,
            "households": households, "companies": companies,
            "phases_s": {phase: round(seconds, 1) for phase, seconds in phases.items()}}


def _sales_and_notifications(cur) -> int:
    """Half a product sale per client over the last year; ten notifications per member of staff, three unread."""
    cur.execute("""INSERT INTO clients_productsale (sold_on, product_category, amount, fee_income, advisor_id, client_id)
                   SELECT current_date - floor(random() * 365)::int,
                          (ARRAY['deposit', 'wealth_product', 'fund', 'insurance', 'trust'])[1 + floor(random() * 5)],
                          round((c.aum * (0.05 + random() * 0.3))::numeric, -2) + g, round((c.aum * 0.001)::numeric, 2),
                          c.advisor_id, c.id
                   FROM clients_client c CROSS JOIN generate_series(1, 2) g WHERE random() < 0.25""")
    sales = cur.rowcount
    cur.execute("""INSERT INTO notifications_notification (recipient_id, kind, title, body, url, created_at, read_at)
                   SELECT s.id, 'other', '系统通知 ' || g, '', '', now() - g * interval '1 day',
                          CASE WHEN g > 3 THEN now() - g * interval '1 day' + interval '1 hour' END
                   FROM org_staff s CROSS JOIN generate_series(1, 10) g ORDER BY 6""")
    return sales


def _copy_clients(cur, lines) -> None:
    copy(cur, "clients_client", [
        "id", "client_no", "name", "id_number", "id_number_hash", "phone", "phone_hash", "birth_date", "gender",
        "occupation", "risk_level", "risk_assessed_on", "investment_preferences", "tags", "acquisition_channel",
        "household_id", "household_relation", "company_id", "company_role", "aum", "aum_as_of", "investable_assets",
        "contribution", "tier", "near_threshold", "value_segment", "created_at", "updated_at", "advisor_id",
        "org_unit_id"], lines)


def _unit_name(kind: str, uid: int) -> str:
    return {"head_office": "总行", "branch": f"第{uid}分行", "sub_branch": f"第{uid}支行"}.get(kind, f"第{uid}网点")


def _snapshots(cur) -> int:
    """24 month-ends per client ending on the client's current AUM, each client on its own drift with a little
    monthly noise (both from the client id, so the same expression gives the history again); then the tier-change
    history from that expression, client by client (a change wherever a month's tier differs from the month
    before) — no sort of the snapshot table."""
    last = SNAPSHOT_MONTHS - 1
    first = date(LAST_MONTH_END.year - 2, LAST_MONTH_END.month + 1, 1)
    # float8 arithmetic throughout: numeric exp() would be the slowest part of the whole build
    def aum_at(m):
        return (f"CASE WHEN {m} = {last} THEN c.aum ELSE round((c.aum::float8 * exp(((c.id * 2654435761 % 1000)"
                f"::float8 / 1000 - 0.4) * ({m} - {last}) / {last} + ((c.id * 7919 + {m} * 104729) % 1000)::float8"
                " / 10000 - 0.05))::numeric, 2) END")

    aum = aum_at("m")
    as_of = f"(date '{first}' + make_interval(months => m + 1) - interval '1 day')::date"
    cur.execute(f"""INSERT INTO clients_aumsnapshot (client_id, as_of, aum)
                    SELECT c.id, {as_of}, {aum} FROM clients_client c CROSS JOIN generate_series(0, {last}) m""")
    rows = cur.rowcount
    # The tier of an amount in one evaluation: 0 支行级, 1 分行级, 2 总行级.
    rank = f"width_bucket({{}}, ARRAY[{BRANCH_FLOOR}, {HEAD_OFFICE_FLOOR}]::numeric[])"
    tiers = "(ARRAY['sub_branch', 'branch', 'head_office'])[{} + 1]"
    cur.execute(f"""
        INSERT INTO tiers_tierchange (client_id, from_tier, to_tier, direction, aum, effective_date, reason, created_at)
        SELECT id, {tiers.format('before')}, {tiers.format('after')},
               CASE WHEN after > before THEN 'upgrade' ELSE 'downgrade' END, aum, as_of + 1, 'nightly',
               (as_of + 1)::timestamp AT TIME ZONE 'Asia/Shanghai' + interval '1 hour'
        FROM (SELECT id, as_of, aum, before, {rank.format('aum')} AS after
              FROM (SELECT c.id, {as_of} AS as_of, {aum} AS aum, {rank.format(aum_at('(m - 1)'))} AS before
                    FROM clients_client c CROSS JOIN generate_series(1, {last}) m OFFSET 0) x OFFSET 0) y
        WHERE after <> before""")
    return rows


def _contacts(cur, clients: int, bank: _Bank, now: datetime) -> int:
    """10 per client over the last two years, in ten time slices so that ids grow with time; 85% by the client's
    advisor; follow-ups scheduled in the next two weeks on some of the latest ones (advisors' "my day")."""
    first, last = bank.advisor_ids
    span = timedelta(days=730) / CONTACTS_PER_CLIENT
    start = now - timedelta(days=730)
    total = 0
    # The trigger keeping clients.last_contact_at (and the last effective contact and satisfaction callback) would
    # rewrite every client once per slice; once at the end does.
    cur.execute("ALTER TABLE clients_contact DISABLE TRIGGER client_last_contact")
    for j in range(CONTACTS_PER_CLIENT):
        cur.execute(f"""
            INSERT INTO clients_contact (channel, purpose, occurred_at, summary, effective, next_action_at,
                                         created_at, client_id, staff_id)
            SELECT (ARRAY['phone', 'visit', 'wechat', 'meeting', 'sms', 'event'])[1 + floor(random() * 6)],
                   (ARRAY['callback_satisfaction', 'callback_large_sale', 'callback_non_financial', 'greeting',
                          'maturity_reminder', 'product_intro', 'other'])[1 + floor(random() * 7)],
                   t, (ARRAY['电话沟通理财到期安排', '面谈家庭资产配置', '微信发送产品资料', '生日问候',
                             '满意度回访'])[1 + floor(random() * 5)],
                   random() < 0.7,
                   CASE WHEN {j} = {CONTACTS_PER_CLIENT - 1} AND random() < 0.2
                        THEN %(now)s::timestamptz + random() * interval '14 days' END,
                   t, id, staff
            FROM (SELECT c.id, %(start)s::timestamptz + ({j} + random()) * %(span)s::interval AS t,
                         CASE WHEN random() < 0.85 THEN c.advisor_id
                              ELSE {first} + floor(random() * {last - first + 1})::int END AS staff
                  FROM clients_client c) x""", {"now": now, "start": start, "span": span})
        total += cur.rowcount
    cur.execute("ALTER TABLE clients_contact ENABLE TRIGGER client_last_contact")
    cur.execute("""UPDATE clients_client c SET last_contact_at = n.latest, last_effective_contact_at = n.effective,
                                              last_satisfaction_at = n.satisfaction
                   FROM (SELECT client_id, max(occurred_at) AS latest,
                                max(occurred_at) FILTER (WHERE effective) AS effective,
                                max(occurred_at) FILTER (WHERE effective AND purpose = 'callback_satisfaction')
                                    AS satisfaction
                         FROM clients_contact GROUP BY client_id) n
                   WHERE c.id = n.client_id""")
    return total


def _audit(cur, clients: int, bank: _Bank, now: datetime) -> int:
    """2 per client over the last year, month by month in time order: views mostly, some reveals and exports."""
    staff = len(bank.staff)
    per_month = clients * AUDIT_PER_CLIENT // 12
    start = now - timedelta(days=360)
    for m in range(12):
        cur.execute(f"""
            INSERT INTO audit_auditevent (at, actor_id, action, object_type, object_id, client_id, detail, ip)
            SELECT t, actor, action, 'client', client::text, client, '{{"via": "web"}}'::jsonb, '10.8.0.1'
            FROM (SELECT %(start)s::timestamptz + ({m} + random()) * interval '30 days' AS t,
                         1 + floor(random() * {staff})::int AS actor,
                         (ARRAY['view', 'view', 'view', 'view', 'view', 'view', 'update', 'reveal', 'export',
                                'create'])[1 + floor(random() * 10)] AS action,
                         1 + floor(random() * {clients})::int AS client
                  FROM generate_series(1, {per_month})) x
            ORDER BY t""", {"start": start})
    return per_month * 12


def _referrals(cur, rng, clients, bank, client_units, encrypt, blind_index, now) -> int:
    """200 per 1,000 clients, every status, with SLA fields as the services would have written them."""
    count = round(clients * REFERRALS_PER_CLIENT)
    # status, share, how long ago it was recommended (days): open ones recent, finished ones over the year
    mix = [("recommended", 0.12, (0, 2.5)), ("contacted", 0.12, (1, 30)), ("signed", 0.08, (5, 90)),
           ("closed", 0.38, (10, 365)), ("declined", 0.30, (3, 365))]
    statuses = [m for m in mix for _ in range(round(m[1] * 100))]
    latest = now - timedelta(minutes=1)

    def lines():
        for rid in range(1, count + 1):
            status, _share, (lo, hi) = rng.choice(statuses)
            existing = rng.random() < 0.6
            if existing:
                client_id = rng.randrange(1, len(client_units) + 1)
                branch, sub, outlet = client_units[client_id]
            else:
                client_id = None
                branch, sub, outlet = rng.choice(bank.outlets)
            referrer = rng.choice(outlet["hall"] if rng.random() < 0.7 else outlet["managers"])
            assets = math.exp(rng.gauss(math.log(8_000_000), 1.0))
            routed = status == "recommended" and rng.random() < 0.03
            if routed:
                advisor = branch["manager"]
            elif assets >= BRANCH_FLOOR:
                advisor = rng.choice(branch["centre"])
            else:
                advisor = rng.choice(sub["advisors"])
            recommended = now - timedelta(days=rng.uniform(lo, hi))
            due = _next_business_day_close(recommended)
            contacted = signed = closed = declined = reminded = breach_notified = None
            if status != "recommended":
                contacted = min(recommended + timedelta(hours=rng.uniform(0.5, 40)), latest)
                breached = contacted > due
            else:
                breached = due < now
            if status in ("signed", "closed"):
                signed = min(contacted + timedelta(days=rng.uniform(1, 10)), latest)
            if status == "closed":
                closed = min(signed + timedelta(days=rng.uniform(1, 20)), latest)
            if status == "declined":
                declined = min(contacted + timedelta(days=rng.uniform(1, 15)), latest)
            if breached:
                reminded = due - timedelta(hours=2)
                breach_notified = due + timedelta(minutes=15)
            elif status == "recommended" and due - now < timedelta(hours=2):
                reminded = due - timedelta(hours=2)
            phone = phone_of(clients + rid) if not existing else ""
            yield "\t".join((
                str(rid), status, str(referrer), str(outlet["unit"][0]), str(advisor), "t" if routed else "f",
                "hall" if referrer in outlet["hall"] else "all_staff", str(client_id or "\\N"),
                f"C{client_id:010d}" if existing else "", "" if existing else name_of(rng),
                encrypt(phone) if phone else "", blind_index(phone), f"{assets:.2f}", "",
                recommended.isoformat(), due.isoformat(), "t" if breached else "f", _ts(contacted), _ts(signed),
                _ts(closed), _ts(declined), "客户暂无配置需求" if declined else "", _ts(reminded), _ts(breach_notified),
                recommended.isoformat(), (declined or closed or signed or contacted or recommended).isoformat(),
                "phone" if contacted else "", "已电话联系客户，约见面谈" if contacted else "")) + "\n"

    copy(cur, "referrals_referral", [
        "id", "status", "referrer_id", "org_unit_id", "advisor_id", "routed_to_manager", "channel", "client_id",
        "client_no", "prospect_name", "prospect_phone", "prospect_phone_hash", "estimated_assets", "note",
        "recommended_at", "sla_due_at", "sla_breached", "contacted_at", "signed_at", "closed_at", "declined_at",
        "decline_reason", "reminder_sent_at", "breach_notified_at", "created_at", "updated_at", "contact_channel",
        "reply"], lines())
    cur.execute("SELECT setval(pg_get_serial_sequence('referrals_referral', 'id'), %s)", [max(count, 1)])
    # One advisor's turn per referral, as the services write it (the SLA figures count turns).
    cur.execute("""
        INSERT INTO referrals_referralassignment (referral_id, advisor_id, assigned_at, due_at, followed_up_at,
                                                  breached_at)
        SELECT id, advisor_id, recommended_at, sla_due_at, contacted_at,
               CASE WHEN sla_breached THEN COALESCE(breach_notified_at, contacted_at) END
        FROM referrals_referral""")
    cur.execute("""
        INSERT INTO referrals_referralevent (referral_id, kind, actor_id, from_status, to_status, note, created_at)
        SELECT id, kind, actor, from_status, to_status, '', at FROM (
            SELECT id, 'submitted' AS kind, referrer_id AS actor, '' AS from_status, 'recommended' AS to_status,
                   recommended_at AS at FROM referrals_referral
            UNION ALL SELECT id, 'reminded', NULL, '', '', reminder_sent_at FROM referrals_referral
                      WHERE reminder_sent_at IS NOT NULL
            UNION ALL SELECT id, 'breached', NULL, '', '', breach_notified_at FROM referrals_referral
                      WHERE breach_notified_at IS NOT NULL
            UNION ALL SELECT id, 'contact', advisor_id, 'recommended', 'contacted', contacted_at FROM referrals_referral
                      WHERE contacted_at IS NOT NULL
            UNION ALL SELECT id, 'sign', advisor_id, 'contacted', 'signed', signed_at FROM referrals_referral
                      WHERE signed_at IS NOT NULL
            UNION ALL SELECT id, 'close', advisor_id, 'signed', 'closed', closed_at FROM referrals_referral
                      WHERE closed_at IS NOT NULL
            UNION ALL SELECT id, 'decline', advisor_id, 'contacted', 'declined', declined_at FROM referrals_referral
                      WHERE declined_at IS NOT NULL) e
        ORDER BY at""")
    return count
