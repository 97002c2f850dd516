"""Demo organisation and staff for ``manage.py seed_demo`` (idempotent: keyed by org code and username)."""

import random

from django.db import transaction

from wealthcrm.org.choices import OrgKind, Role
from wealthcrm.org.models import OrgUnit, Staff

DEMO_PASSWORD = "WealthDemo-2026"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英",
         "霞", "平", "刚", "桂英", "建华", "志强", "晓东", "海燕", "丹", "思远", "子涵", "雨桐", "浩然", "欣怡", "宇轩",
         "梓萱", "俊杰", "佳怡", "文博", "诗涵", "建国", "春梅", "国栋", "立新", "晓明", "慧", "鹏", "婷", "琳", "辉"]

BRANCHES = [
    ("BJ", "北京分行", [("BJ01", "朝阳支行", ["望京", "国贸", "三里屯"]), ("BJ02", "海淀支行", ["中关村", "五道口"]),
                      ("BJ03", "西城支行", ["金融街", "西单"])]),
    ("SH", "上海分行", [("SH01", "浦东支行", ["陆家嘴", "张江", "世纪公园"]), ("SH02", "静安支行", ["南京西路", "静安寺"]),
                      ("SH03", "徐汇支行", ["徐家汇", "衡山路"])]),
    ("SZ", "深圳分行", [("SZ01", "福田支行", ["车公庙", "香蜜湖"]), ("SZ02", "南山支行", ["科技园", "蛇口"]),
                      ("SZ03", "罗湖支行", ["东门", "国贸"])]),
]


def chinese_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _unit(code, name, kind, parent):
    unit, _ = OrgUnit.objects.update_or_create(code=code, defaults={"name": name, "kind": kind, "parent": parent})
    return unit


def _staff(rng, username, role, unit, title=""):
    staff, created = Staff.objects.get_or_create(username=username, defaults={"role": role, "org_unit": unit})
    if created:
        staff.display_name = chinese_name(rng)
        staff.email = f"{username}@demo.wealthcrm.cn"
        staff.set_password(DEMO_PASSWORD)
    staff.role, staff.org_unit = role, unit
    staff.save()
    return staff


@transaction.atomic
def seed(*, stdout, rng: random.Random) -> None:
    head_office = _unit("HO", "总行私人银行部", OrgKind.HEAD_OFFICE, None)
    _staff(rng, "ho_chen", Role.HEAD_OFFICE, head_office)
    _staff(rng, "ho_li", Role.HEAD_OFFICE, head_office)
    admin = _staff(rng, "admin", Role.ADMIN, None)
    if not admin.is_staff:
        admin.is_staff = admin.is_superuser = True
        admin.save()
    for b_code, b_name, subs in BRANCHES:
        branch = _unit(b_code, b_name, OrgKind.BRANCH, head_office)
        prefix = b_code.lower()
        _staff(rng, f"{prefix}_mgr", Role.BRANCH_MANAGER, branch)
        for i in (1, 2, 3):
            _staff(rng, f"{prefix}_pb{i}", Role.ADVISOR, branch)  # 分行私人银行中心 advisors
        _staff(rng, f"{prefix}_corp", Role.ACCOUNT_MANAGER, branch)  # corporate account manager (公私联动)
        for s_code, s_name, outlets in subs:
            sub = _unit(s_code, f"{b_name[:2]}{s_name}", OrgKind.SUB_BRANCH, branch)
            sp = s_code.lower()
            _staff(rng, f"{sp}_mgr", Role.BRANCH_MANAGER, sub)
            _staff(rng, f"{sp}_adv1", Role.ADVISOR, sub)
            _staff(rng, f"{sp}_adv2", Role.ADVISOR, sub)
            for k, o_name in enumerate(outlets, start=1):
                outlet = _unit(f"{s_code}{k:02d}", f"{o_name}网点", OrgKind.OUTLET, sub)
                op = outlet.code.lower()
                _staff(rng, f"{op}_am", Role.ACCOUNT_MANAGER, outlet)
                _staff(rng, f"{op}_hall", Role.HALL_STAFF, outlet)
    stdout.write(f"  org units: {OrgUnit.objects.count()}, staff: {Staff.objects.count()}")


DEMO_SIGN_INS = [
    ("admin", "系统管理员"),
    ("ho_chen", "总行私人银行部"),
    ("bj_mgr", "北京分行私行中心负责人 (branch manager)"),
    ("bj01_mgr", "北京朝阳支行行长 (branch manager)"),
    ("bj_pb1", "北京分行私行中心财富顾问 (advisor, 总行级/分行级 clients)"),
    ("bj01_adv1", "朝阳支行财富顾问 (advisor, 支行级 clients)"),
    ("bj0101_am", "望京网点客户经理 (account manager)"),
    ("bj0101_hall", "望京网点大堂经理 (hall staff)"),
]
