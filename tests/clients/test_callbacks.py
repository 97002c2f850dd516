"""The three callbacks of PRODUCT.md "Contacts and callbacks", as the bank plans them: the tier plan with a branch
or sub-branch override (分、支行共同制定), the large-sale callback (大额销售回访, ≥ 100万 within 7 days by
default) and the yearly satisfaction callback (满意度回访) — all through ``Client.objects.callback_due``."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from clients.models import CallbackPlan, Client, Contact, ProductSale
from tests.factories import ClientFactory

DEFAULTS = {"large_sale_threshold": Decimal("1000000.00"), "large_sale_days": 7, "satisfaction_months": 12}


@pytest.fixture
def now():
    return timezone.now()


def days_ago(n):
    return timezone.now() - dt.timedelta(days=n)


def client_in(unit, advisor, *, name, tier="head_office", created_days_ago=None):
    client = ClientFactory(org_unit=unit, advisor=advisor, tier=tier, name=name)
    if created_days_ago is not None:
        Client.objects.filter(pk=client.pk).update(created_at=days_ago(created_days_ago))
    return client


def reached(client, staff, *, when, purpose="product_intro", effective=True):
    return Contact.objects.create(client=client, staff=staff, channel="phone", purpose=purpose, occurred_at=when,
                                  effective=effective)


def sold(client, *, amount, day, category="fund"):
    return ProductSale.objects.create(client=client, sold_on=day, product_category=category, amount=Decimal(amount))


def due(now, **filters):
    return {c.name: c for c in Client.objects.callback_due(now=now).filter(**filters)}


def plan(tier, unit=None, *, interval_days, effective_from=dt.date(2000, 1, 1), **values):
    return CallbackPlan.objects.create(tier=tier, org_unit=unit, effective_from=effective_from,
                                       interval_days=interval_days, **{**DEFAULTS, **values})


# --- 大额销售回访 ---------------------------------------------------------------------------------------------

def test_a_large_sale_makes_a_large_sale_callback_due_within_seven_days(bank, now):
    client = client_in(bank.north_sub, bank.advisor, name="大额")
    reached(client, bank.advisor, when=days_ago(1))  # the routine plan is satisfied
    sold_on = timezone.localdate() - dt.timedelta(days=2)
    sold(client, amount="1000000.00", day=sold_on)  # exactly 100万: inclusive
    got = due(now)["大额"]
    assert got.large_sale_due_on == sold_on + dt.timedelta(days=7)
    assert not got.plan_due and not got.satisfaction_due


def test_a_small_sale_or_a_deposit_makes_none(bank, now):
    client = client_in(bank.north_sub, bank.advisor, name="小额")
    reached(client, bank.advisor, when=days_ago(1))
    today = timezone.localdate()
    sold(client, amount="999999.99", day=today)
    sold(client, amount="5000000.00", day=today, category="deposit")
    assert due(now) == {}


def test_only_an_effective_large_sale_callback_on_or_after_the_sale_clears_it(bank, now):
    client = client_in(bank.north_sub, bank.advisor, name="回访")
    sold_on = timezone.localdate() - dt.timedelta(days=3)
    sold(client, amount="3000000.00", day=sold_on)
    reached(client, bank.advisor, when=days_ago(1))  # another purpose: clears the routine plan only
    reached(client, bank.advisor, when=days_ago(1), purpose="callback_large_sale", effective=False)
    reached(client, bank.advisor, when=days_ago(10), purpose="callback_large_sale")  # before the sale
    assert due(now)["回访"].large_sale_due_on == sold_on + dt.timedelta(days=7)
    reached(client, bank.advisor, when=days_ago(1), purpose="callback_large_sale")
    assert due(now) == {}


def test_each_large_sale_is_called_back_the_earliest_open_one_first(bank, now):
    client = client_in(bank.north_sub, bank.advisor, name="两笔")
    today = timezone.localdate()
    sold(client, amount="2000000.00", day=today - dt.timedelta(days=20))
    reached(client, bank.advisor, when=days_ago(15), purpose="callback_large_sale")
    sold(client, amount="2000000.00", day=today - dt.timedelta(days=5), category="insurance")
    # the first sale was called back; the second, after that callback, is still open
    assert due(now)["两笔"].large_sale_due_on == today + dt.timedelta(days=2)


def test_the_threshold_and_days_are_the_plans(bank, now):
    CallbackPlan.objects.filter(tier="head_office").update(large_sale_threshold=Decimal("5000000.00"),
                                                           large_sale_days=3)
    client = client_in(bank.north_sub, bank.advisor, name="五百万")
    reached(client, bank.advisor, when=days_ago(1))
    today = timezone.localdate()
    sold(client, amount="4000000.00", day=today)
    assert due(now) == {}
    sold(client, amount="5000000.00", day=today - dt.timedelta(days=1))
    assert due(now)["五百万"].large_sale_due_on == today + dt.timedelta(days=2)


# --- 满意度回访 -----------------------------------------------------------------------------------------------

def test_every_client_gets_a_satisfaction_callback_once_a_year(bank, now):
    fresh = client_in(bank.north_sub, bank.advisor, name="新客户", created_days_ago=200)
    old = client_in(bank.north_sub, bank.advisor, name="老客户", created_days_ago=400)
    called = client_in(bank.north_sub, bank.advisor, name="今年已回访", created_days_ago=900)
    lapsed = client_in(bank.north_sub, bank.advisor, name="去年回访", created_days_ago=900)
    for client in (fresh, old, called, lapsed):
        reached(client, bank.advisor, when=days_ago(1))  # the routine plan is satisfied
    reached(called, bank.advisor, when=days_ago(300), purpose="callback_satisfaction")
    reached(lapsed, bank.advisor, when=days_ago(380), purpose="callback_satisfaction")
    reached(lapsed, bank.advisor, when=days_ago(30), purpose="callback_satisfaction", effective=False)
    got = due(now)
    assert set(got) == {"老客户", "去年回访"}
    assert all(c.satisfaction_due and not c.plan_due for c in got.values())
    assert got["老客户"].last_satisfaction_callback is None


# --- plans per tier with a branch override --------------------------------------------------------------------

def test_a_branch_plan_beats_the_bank_default_for_its_clients_only(bank, now):
    plan("head_office", bank.north, interval_days=60)
    north = client_in(bank.north_sub, bank.advisor, name="北京")
    south = client_in(bank.south_sub, bank.south_advisor, name="深圳")
    for client in (north, south):
        reached(client, bank.advisor, when=days_ago(45))
    assert set(due(now)) == {"深圳"}  # the default is 30 days
    assert due(now, name="深圳")["深圳"].callback_interval == 30
    assert Client.objects.with_callbacks(now=now).get(pk=north.pk).callback_interval == 60


def test_a_sub_branch_plan_beats_its_branch_plan_and_other_tiers_keep_theirs(bank, now):
    plan("head_office", bank.north, interval_days=60)
    plan("head_office", bank.north_sub, interval_days=40)
    outlet = client_in(bank.north_outlet, bank.account_manager, name="网点")
    branch_tier = client_in(bank.north_outlet, bank.account_manager, name="分行级", tier="branch")
    centre = client_in(bank.north, bank.centre_advisor, name="私行中心")
    plans = Client.objects.with_callbacks(now=now)
    assert plans.get(pk=outlet.pk).callback_interval == 40  # an outlet under the sub-branch
    assert plans.get(pk=branch_tier.pk).callback_interval == 90  # no override for 分行级
    assert plans.get(pk=centre.pk).callback_interval == 60


def test_a_plan_applies_from_its_effective_day(bank, now):
    plan("head_office", bank.north, interval_days=60, effective_from=timezone.localdate() + dt.timedelta(days=1))
    client = client_in(bank.north_sub, bank.advisor, name="明日生效")
    reached(client, bank.advisor, when=days_ago(45))
    assert set(due(now)) == {"明日生效"}
    assert set(due(now + dt.timedelta(days=2))) == set()


def test_my_day_lists_a_large_sale_callback_with_its_deadline(bank, web_as):
    client = client_in(bank.north_sub, bank.advisor, name="大额客户")
    reached(client, bank.advisor, when=days_ago(1))
    sold(client, amount="1200000.00", day=timezone.localdate())
    page = web_as(bank.advisor).get("/").content.decode()
    assert "大额客户" in page and "大额销售回访" in page


def test_the_360_page_shows_the_callbacks_due_and_the_plan(bank, web_as):
    client = client_in(bank.north_sub, bank.advisor, name="三六零", created_days_ago=400)
    reached(client, bank.advisor, when=days_ago(1))
    page = web_as(bank.advisor).get(reverse("clients:detail", args=[client.pk])).content.decode()
    assert "年度满意度回访" in page and "每 30 天回访" in page


# --- who sets plans: page and API -----------------------------------------------------------------------------

def body(unit=None, **changes):
    data = {"tier": "head_office", "org_unit": unit.pk if unit else None,
            "effective_from": timezone.localdate().isoformat(), "interval_days": 45,
            "large_sale_threshold": "2000000.00", "large_sale_days": 5, "satisfaction_months": 6}
    return {**data, **changes}


URL = "/api/v1/callback-plans/"


@pytest.mark.parametrize("who, unit, status", [
    ("head_office", None, 201),  # the bank's default
    ("head_office", "south", 201),
    ("north_manager", "north", 201),
    ("north_manager", "north_sub", 201),  # a sub-branch under the branch
    ("north_sub_manager", "north_sub", 201),
    ("north_sub_manager", "north", 400),  # the branch above: read, not set
    ("north_manager", "south", 400),  # another branch: not even a valid choice
    ("north_manager", "north_outlet", 400),  # plans are made by 分行 and 支行
    ("north_manager", None, 403),  # the bank's default is head office's
    ("advisor", "north_sub", 403),
    ("hall", None, 403),
])
def test_who_may_set_which_plan(bank, api_as, who, unit, status):
    response = api_as(getattr(bank, who)).post(URL, body(getattr(bank, unit) if unit else None), format="json")
    assert response.status_code == status, response.content
    if status == 201:
        saved = CallbackPlan.objects.get(pk=response.json()["id"])
        assert (saved.org_unit, saved.created_by, saved.large_sale_threshold) == (
            getattr(bank, unit) if unit else None, getattr(bank, who), Decimal("2000000.00"))


def test_another_branchs_plan_is_404_and_absent_from_the_list(bank, api_as):
    south = plan("head_office", bank.south, interval_days=20)
    north = plan("head_office", bank.north, interval_days=60)
    as_north_sub = api_as(bank.north_sub_manager)
    assert as_north_sub.get(f"{URL}{south.pk}/").status_code == 404
    assert as_north_sub.get(f"{URL}{north.pk}/").status_code == 200  # the plan above applies to them
    listed = {row["id"] for row in as_north_sub.get(URL).json()["results"]}
    assert north.pk in listed and south.pk not in listed
    assert CallbackPlan.objects.filter(org_unit__isnull=True).count() == 3
    assert len(listed) == 4  # the three defaults and the north branch's
    assert api_as(bank.south_manager).get(f"{URL}{north.pk}/").status_code == 404
    assert api_as(bank.head_office).get(f"{URL}{south.pk}/").status_code == 200


@pytest.mark.parametrize("changes, field", [
    ({"effective_from": "2020-01-01"}, "effective_from"),  # would rewrite reported figures
    ({"large_sale_threshold": "-1"}, "large_sale_threshold"),
    ({"large_sale_threshold": "1.234"}, "large_sale_threshold"),
    ({"large_sale_threshold": "abc"}, "large_sale_threshold"),
    ({"interval_days": 0}, "interval_days"),
    ({"satisfaction_months": 100000}, "satisfaction_months"),
    ({"tier": "vip"}, "tier"),
])
def test_bad_plans_are_a_clear_400(bank, api_as, changes, field):
    response = api_as(bank.head_office).post(URL, body(**changes), format="json")
    assert response.status_code == 400 and field in response.json()


def test_the_same_day_twice_is_a_400(bank, api_as):
    web = api_as(bank.north_manager)
    assert web.post(URL, body(bank.north), format="json").status_code == 201
    response = web.post(URL, body(bank.north), format="json")
    assert response.status_code == 400 and "effective_from" in response.json()


def test_the_page_lists_the_plans_in_scope_and_adds_one(bank, web_as):
    plan("head_office", bank.south, interval_days=20)
    web = web_as(bank.north_manager)
    page = web.get(reverse("clients:callback-plans"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "全行默认" in text and "深圳分行" not in text
    response = web.post(reverse("clients:callback-plans"), {
        "tier": "branch", "org_unit": bank.north_sub.pk, "effective_from": timezone.localdate().isoformat(),
        "interval_days": 60, "large_sale_threshold": "300", "large_sale_days": 5, "satisfaction_months": 12})
    assert response.status_code == 302
    saved = CallbackPlan.objects.get(org_unit=bank.north_sub)
    assert saved.large_sale_threshold == Decimal("3000000.00")  # the form asks in 万
    assert "北京朝阳支行" in web.get(reverse("clients:callback-plans")).content.decode()


def test_the_page_refuses_another_branch_and_front_line_staff(bank, web_as):
    web = web_as(bank.north_manager)
    response = web.post(reverse("clients:callback-plans"), {
        "tier": "branch", "org_unit": bank.south.pk, "effective_from": timezone.localdate().isoformat(),
        "interval_days": 60, "large_sale_threshold": "300", "large_sale_days": 5, "satisfaction_months": 12})
    assert response.status_code == 200 and not CallbackPlan.objects.filter(org_unit=bank.south).exists()
    assert web_as(bank.advisor).get(reverse("clients:callback-plans")).status_code == 403
