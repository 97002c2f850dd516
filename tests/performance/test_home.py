"""The role home pages: "my day" for relationship managers, overviews for managers, status for hall staff."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clients.models import Contact, ProductSale
from referrals import services as referral_services
from tests.factories import ClientFactory


def refer(bank, name, advisor=None):
    return referral_services.submit_referral(referrer=bank.hall, prospect_name=name, advisor=advisor or bank.advisor)


def make_book(bank, n):
    """``n`` clients of the sub-branch advisor, each near threshold, due a callback, and referred."""
    today = timezone.localdate()
    for i in range(n):
        client = ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, aum=Decimal("19000000.00"),
                               near_threshold=True, birth_date=today.replace(year=1980),
                               risk_assessed_on=today - dt.timedelta(days=350))
        Contact.objects.create(client=client, staff=bank.advisor, channel="phone", purpose="greeting",
                               occurred_at=timezone.now() - dt.timedelta(days=3),
                               next_action_at=timezone.now() + dt.timedelta(minutes=5))
        ProductSale.objects.create(client=client, sold_on=today - dt.timedelta(days=170), product_category="wealth_product",
                                   amount=Decimal("500000.00"), matures_on=today + dt.timedelta(days=12))
        refer(bank, f"潜客{i}")


def test_my_day_lists_the_advisors_own_work(bank, web_as):
    make_book(bank, 2)
    ClientFactory(org_unit=bank.south_sub, advisor=bank.south_advisor, client_no="OTHER01", name="别人的客户",
                  near_threshold=True)
    refer(bank, "别人的潜客", advisor=bank.advisor2)
    page = web_as(bank.advisor).get("/").content.decode()
    for section in ("待跟进推荐", "今日回访", "临界提级客户", "生日与风险测评"):
        assert section in page
    assert "潜客0" in page and "潜客1" in page
    assert "别人的客户" not in page and "别人的潜客" not in page
    assert "风险测评到期" in page


@pytest.mark.parametrize("role_attr, expected, absent", [
    ("north_manager", ["客户分层", "超时未跟进的推荐"], ["今日回访", "常用功能"]),
    ("head_office", ["客户分层", "超时未跟进的推荐"], ["今日回访", "常用功能"]),
    ("hall", ["我的推荐"], ["客户分层", "管户资产", "常用功能"]),
    ("admin", ["客户分层"], ["今日回访", "常用功能"]),
    ("advisor", ["今日回访"], ["常用功能"]),  # the sidebar is the menu: no second copy as a button grid
])
def test_each_role_gets_its_own_home(bank, web_as, role_attr, expected, absent):
    refer(bank, "潜客甲")
    response = web_as(getattr(bank, role_attr)).get("/")
    assert response.status_code == 200
    page = response.content.decode()
    for text in expected:
        assert text in page
    for text in absent:
        assert text not in page


def test_the_south_manager_does_not_see_north_work(bank, web_as):
    referral = refer(bank, "北方潜客")
    referral.sla_breached = True
    referral.save(update_fields=["sla_breached"])
    assert "北方潜客" in web_as(bank.north_manager).get("/").content.decode()
    assert "北方潜客" not in web_as(bank.south_manager).get("/").content.decode()


@pytest.mark.parametrize("role_attr", ["advisor", "north_manager", "hall"])
def test_home_queries_do_not_grow_with_rows(bank, client, role_attr, django_assert_max_num_queries):
    user = getattr(bank, role_attr)
    client.force_login(user)
    make_book(bank, 2)
    client.get("/")  # warm caches (e.g. the calendar's first read)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/").status_code == 200
    make_book(bank, 12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/").status_code == 200


def test_hall_home_counts_every_referral_not_only_the_short_list(bank, web_as):
    for n in range(11):
        refer(bank, f"客户{n}")
    response = web_as(bank.hall).get("/")
    assert response.context["hall"]["total"] == 11 and len(response.context["hall"]["referrals"]) == 8


def test_each_my_day_item_is_one_click_from_its_action(bank, web_as):
    """Referrals link to their follow-up actions; clients to the contact form, with the purpose picked."""
    make_book(bank, 1)
    page = web_as(bank.advisor)
    body = page.get("/").content.decode()
    from referrals.models import Referral

    referral = Referral.objects.get(advisor=bank.advisor)
    client = Contact.objects.get(staff=bank.advisor).client
    assert f'data-action="follow-up" href="/referrals/{referral.pk}/#referral-actions"' in body
    assert f'href="/clients/{client.pk}/?purpose=greeting#contact-form"' in body
    assert body.count('data-action="log-contact"') >= 3  # the follow-up, the near-threshold and the birthday rows
    form = page.get(f"/clients/{client.pk}/", {"purpose": "greeting"}).context["contact_form"]
    assert form["purpose"].value() == "greeting"
    assert page.get(f"/clients/{client.pk}/", {"purpose": "nonsense"}).context["contact_form"]["purpose"].value() \
        == "callback_satisfaction"


def test_my_day_lists_products_maturing_within_30_days_of_the_advisors_own_clients(bank, web_as):
    today = timezone.localdate()
    mine = ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, name="到期甲")
    theirs = ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor2, name="别人的客户")
    for client, days, amount in [(mine, 0, "100"), (mine, 30, "200"), (mine, 31, "300"), (mine, -1, "400"),
                                 (theirs, 5, "500")]:
        ProductSale.objects.create(client=client, sold_on=today - dt.timedelta(days=200),
                                   product_category="wealth_product", amount=Decimal(amount),
                                   matures_on=today + dt.timedelta(days=days))
    ProductSale.objects.create(client=mine, sold_on=today, product_category="fund", amount=Decimal("600"))
    response = web_as(bank.advisor).get("/")
    day = response.context["day"]
    assert [(s.amount, s.matures_on) for s in day["maturing"]] == [
        (Decimal("100.00"), today), (Decimal("200.00"), today + dt.timedelta(days=30))]
    assert day["maturing_total"] == 2
    body = response.content.decode()
    assert f'href="/clients/{mine.pk}/?purpose=maturity_reminder#contact-form"' in body
    assert "别人的客户" not in body


def test_my_day_counts_every_client_due_a_callback_not_only_the_short_list(bank):
    from performance.selectors import LIST_SIZE, my_day

    for n in range(LIST_SIZE + 3):  # never reached: the routine callback of their tier is due
        ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor2, client_no=f"DUE{n:03d}")
    reached = ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor2, client_no="REACHED")
    Contact.objects.create(client=reached, staff=bank.advisor2, channel="phone", purpose="greeting",
                           occurred_at=timezone.now() - dt.timedelta(days=1))
    day = my_day(bank.advisor2)
    assert day["callbacks_planned_total"] == LIST_SIZE + 3 and len(day["callbacks_planned"]) == LIST_SIZE
    assert "REACHED" not in {client.client_no for client in day["callbacks_planned"]}
    assert my_day(bank.advisor)["callbacks_planned_total"] == 0  # nobody else's clients


def test_my_day_counts_every_open_referral_and_maturing_product_not_only_the_short_lists(bank):
    from performance.selectors import LIST_SIZE, my_day

    make_book(bank, LIST_SIZE + 2)
    breached = refer(bank, "超时潜客")
    breached.sla_breached = True
    breached.save(update_fields=["sla_breached"])
    refer(bank, "别人的潜客", advisor=bank.advisor2)
    day = my_day(bank.advisor)
    assert len(day["referrals"]) == LIST_SIZE and len(day["maturing"]) == LIST_SIZE
    assert (day["referrals_open"], day["referrals_breached"]) == (LIST_SIZE + 3, 1)
    assert day["maturing_total"] == LIST_SIZE + 2
    other = my_day(bank.advisor2)
    assert (other["referrals_open"], other["referrals_breached"]) == (1, 0)
