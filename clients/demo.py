"""Demo clients for ``manage.py seed_demo``: long-tailed AUM, 24 monthly snapshots, households, companies,
contacts and sales. Idempotent: when the demo clients exist, nothing is added (same counts on every run)."""

import math
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from clients.choices import (
    AcquisitionChannel,
    CompanyRole,
    ContactChannel,
    ContactPurpose,
    HouseholdRelation,
    ProductCategory,
    RiskLevel,
)
from clients.models import AumSnapshot, CallbackPlan, Client, Company, Contact, Household, ProductSale
from clients.services import set_personal_data
from wealthcrm.demo import chinese_name
from wealthcrm.org.choices import OrgKind, Role
from wealthcrm.org.models import Staff

PREFIX = "D"
YI = 100_000_000
FLOOR_BRANCH = 20_000_000
REGION = {"BJ": "110105", "SH": "310115", "SZ": "440304"}
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"
OCCUPATIONS = ["企业主", "企业高管", "医生", "律师", "教师", "公务员", "自由职业", "金融从业者", "退休", "科研人员"]
PREFERENCES = ["稳健理财", "权益类基金", "保险保障", "家族信托", "贵金属", "固定收益", "海外配置"]
TAGS = ["企业主", "高净值", "代发工资", "养老规划", "子女教育", "跨境需求", "新客"]
INDUSTRIES = ["制造业", "信息技术", "房地产", "批发零售", "医疗健康", "新能源", "文化传媒"]
SUMMARIES = ["电话回访，客户对理财产品收益满意", "上门拜访，沟通家庭资产配置", "微信问候，约下周面谈", "产品到期提醒，客户有续作意向",
             "介绍新发固收+产品", "生日问候", "邀请参加私行客户沙龙", "大额转出关注，了解客户资金用途"]

# Products with a term, and the terms the demo sells them for (some fall due within "my day"'s 30 days).
TERM_CATEGORIES = (ProductCategory.WEALTH_PRODUCT, ProductCategory.TRUST, ProductCategory.DEPOSIT)
TERM_DAYS = (91, 182, 365)


def _id_number(rng, region, birth):
    body = f"{region}{birth:%Y%m%d}{rng.randint(0, 999):03d}"
    return body + ID_CHECK[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def _phone(rng):
    return rng.choice(["138", "139", "136", "135", "158", "186", "188", "177"]) + f"{rng.randint(0, 99_999_999):08d}"


def _target_aum(rng, i, total):
    """Long tail with the bands the tier pages need: some ≥ 1亿, a band just under each floor."""
    share = i / total
    if share < 0.006:
        return rng.uniform(1.0, 3.5) * YI
    if share < 0.02:
        return rng.uniform(0.9, 0.999) * YI  # within 10% below the 1亿 floor
    if share < 0.05:
        return rng.uniform(0.9, 0.999) * FLOOR_BRANCH  # within 10% below the 2000万 floor
    return min(math.exp(rng.gauss(math.log(2_500_000), 1.15)), 0.95 * YI)


def _month_ends(count):
    today = timezone.localdate()
    first = today.replace(day=1)
    ends = []
    for _ in range(count):
        first = (first - timedelta(days=1)).replace(day=1)
        nxt = (first + timedelta(days=32)).replace(day=1)
        ends.append(nxt - timedelta(days=1))
    return ends[::-1]


@transaction.atomic
def seed(*, stdout, rng: random.Random, clients: int = 2000) -> None:
    if Client.objects.filter(client_no__startswith=PREFIX).exists():
        stdout.write(f"  clients: demo clients already present ({Client.objects.count()}), skipped")
        return
    advisors = list(Staff.objects.filter(role__in=[Role.ADVISOR, Role.ACCOUNT_MANAGER], is_active=True,
                                         username__contains="_").select_related("org_unit"))
    centre = [s for s in advisors if s.org_unit and s.org_unit.kind == OrgKind.BRANCH and "_pb" in s.username]
    front = [s for s in advisors if s.org_unit and s.org_unit.kind in (OrgKind.SUB_BRANCH, OrgKind.OUTLET)]
    if not centre or not front:
        stdout.write("  clients: no demo advisors, skipped")
        return
    # Give the demo sign-in bj01_adv1 a visible book of business.
    star = next((s for s in front if s.username == "bj01_adv1"), None)

    months = _month_ends(24)
    today = timezone.localdate()
    objects, paths = [], []
    for i in range(clients):
        aum = _target_aum(rng, i, clients)
        big = aum >= FLOOR_BRANCH
        if big:
            advisor = rng.choice(centre)
        else:
            advisor = star if star and rng.random() < 0.06 else rng.choice(front)
        branch_code = advisor.org_unit.code[:2]
        birth = date(rng.randint(1950, 1995), rng.randint(1, 12), rng.randint(1, 28))
        client = Client(
            client_no=f"{PREFIX}{i + 1:07d}", name=chinese_name(rng), birth_date=birth,
            gender=rng.choice("MF"), occupation=rng.choice(OCCUPATIONS),
            risk_level=rng.choice(RiskLevel.values), risk_assessed_on=today - timedelta(days=rng.randint(0, 420)),
            investment_preferences=rng.choice(PREFERENCES), tags=rng.sample(TAGS, rng.randint(0, 2)),
            acquisition_channel=rng.choice(AcquisitionChannel.values), org_unit=advisor.org_unit, advisor=advisor,
            investable_assets=Decimal(round(aum * rng.uniform(1.1, 2.5), 2)).quantize(Decimal("0.01")),
            contribution=Decimal(round(aum * rng.uniform(0.002, 0.012), 2)).quantize(Decimal("0.01")),
        )
        set_personal_data(client, id_number=_id_number(rng, REGION.get(branch_code, "110101"), birth), phone=_phone(rng))
        # A monthly path ending at the target: gentle drift with noise, a few recent jumps across floors.
        level, path = aum, []
        for _ in months:
            path.append(Decimal(max(level, 0)).quantize(Decimal("0.01")))
            level = level / (1 + rng.gauss(0.01, 0.05))
        path = path[::-1]
        if not big and aum >= 0.9 * FLOOR_BRANCH and rng.random() < 0.15:
            # A recent jump over the 2000万 floor: upgraded tonight, still with a sub-branch advisor, so the
            # managers' reassign list and the monthly upgrade counts have something to show.
            path[-1] = (path[-1] * Decimal("1.15")).quantize(Decimal("0.01"))
        client.aum, client.aum_as_of = path[-1], months[-1]
        objects.append(client)
        paths.append(path)
    Client.objects.bulk_create(objects, batch_size=1000)

    snapshots = [AumSnapshot(client_id=c.pk, as_of=d, aum=a)
                 for c, path in zip(objects, paths, strict=True) for d, a in zip(months, path, strict=True)]
    AumSnapshot.objects.bulk_create(snapshots, batch_size=5000)

    # Households: spouses and children of some clients (family decisions).
    households = 0
    pool = objects[:]
    rng.shuffle(pool)
    for k in range(0, min(len(pool), clients // 3) - 2, 3):
        head, *others = pool[k:k + rng.randint(2, 3)]
        household = Household.objects.create(name=f"{head.name[0]}氏家庭")
        head.household, head.household_relation = household, HouseholdRelation.SELF
        for member, relation in zip(others, [HouseholdRelation.SPOUSE, HouseholdRelation.CHILD], strict=False):
            member.household, member.household_relation = household, relation
        households += 1
    Client.objects.bulk_update([c for c in objects if c.household_id], ["household", "household_relation"],
                               batch_size=1000)

    # Companies: owners and executives linked to a corporate account manager (公私联动).
    corporate = {s.org_unit_id: s for s in Staff.objects.filter(username__endswith="_corp")}
    owners = [c for c in objects if c.occupation in ("企业主", "企业高管")][:60]
    companies = []
    for n, owner in enumerate(owners[:20]):
        branch = owner.org_unit if owner.org_unit.kind == OrgKind.BRANCH else owner.org_unit.ancestor_of_kind(
            OrgKind.BRANCH)
        companies.append(Company.objects.create(
            name=f"{owner.name[0]}氏{rng.choice(INDUSTRIES)}有限公司{n + 1}", industry=rng.choice(INDUSTRIES),
            org_unit=branch, corporate_manager=corporate.get(branch.pk if branch else None)))
    for n, person in enumerate(owners):
        person.company = companies[n % len(companies)] if companies else None
        person.company_role = CompanyRole.LEGAL_REP if n < 20 else rng.choice(
            [CompanyRole.SHAREHOLDER, CompanyRole.EXECUTIVE])
    Client.objects.bulk_update(owners, ["company", "company_role"], batch_size=1000)

    # Contacts and sales over the last months.
    now = timezone.now()
    tz = timezone.get_current_timezone()
    contacts, sales = [], []
    plans = CallbackPlan.objects.in_force(today)
    for client in objects:
        for _ in range(rng.randint(0, 5)):
            day = today - timedelta(days=rng.randint(0, 120))
            at = datetime.combine(day, time(rng.randint(9, 17), rng.choice([0, 15, 30, 45])), tz)
            if at > now:
                at -= timedelta(days=1)
            contacts.append(Contact(client=client, staff=client.advisor, channel=rng.choice(ContactChannel.values),
                                    purpose=rng.choice(ContactPurpose.values), occurred_at=at,
                                    summary=rng.choice(SUMMARIES), effective=rng.random() < 0.8))
        plan = plans.for_client(client)
        for _ in range(rng.randint(0, 3)):
            amount = Decimal(round(float(client.aum) * rng.uniform(0.02, 0.3), -3) + 10000).quantize(Decimal("0.01"))
            category = rng.choice(ProductCategory.values)
            sold_on = today - timedelta(days=rng.randint(1, 180))
            term = rng.choice(TERM_DAYS) if category in TERM_CATEGORIES else None
            sales.append(ProductSale(client=client, sold_on=sold_on, product_category=category, amount=amount,
                                     fee_income=(amount * Decimal(rng.uniform(0.001, 0.01))).quantize(Decimal("0.01")),
                                     advisor=client.advisor, matures_on=sold_on + timedelta(days=term) if term else None))
            # most large sales were called back (大额销售回访), a few late or not yet: the lists show some
            if (plan and category != ProductCategory.DEPOSIT and amount >= plan.large_sale_threshold
                    and rng.random() < 0.85):
                at = datetime.combine(sold_on + timedelta(days=rng.randint(0, plan.large_sale_days + 3)),
                                      time(rng.randint(9, 17), 30), tz)
                if at < now:
                    contacts.append(Contact(client=client, staff=client.advisor, channel=ContactChannel.PHONE,
                                            purpose=ContactPurpose.CALLBACK_LARGE_SALE, occurred_at=at,
                                            summary=rng.choice(SUMMARIES), effective=True))
    Contact.objects.bulk_create(contacts, batch_size=5000)
    ProductSale.objects.bulk_create(sales, batch_size=5000, ignore_conflicts=True)
    stdout.write(f"  clients: {len(objects)}, AUM snapshots: {len(snapshots)}, households: {households}, "
                 f"companies: {len(companies)}, contacts: {len(contacts)}, sales: {len(sales)}")
