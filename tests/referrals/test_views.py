"""The referral pages: scope per role, the hall form (万 → 元), htmx actions, board and funnel."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse

from referrals.models import Referral
from referrals.services import transition
from tests.factories import ClientFactory
from tests.referrals.factories import submit

pytestmark = pytest.mark.django_db


def test_submit_form_converts_wan_exactly(bank, web_as):
    web = web_as(bank.hall)
    assert web.get(reverse("referrals:submit")).status_code == 200
    response = web.post(reverse("referrals:submit"), {"prospect_name": "钱七", "prospect_phone": "13700001234",
                                                      "estimated_assets_wan": "2500.123456", "note": "大额存单到期"})
    assert response.status_code == 302 and response.url == reverse("referrals:mine")
    referral = Referral.objects.get(prospect_name="钱七")
    assert referral.estimated_assets == Decimal("25001234.56")
    assert referral.advisor == bank.centre_advisor  # ≥ 2000万: branch centre


def test_submit_form_errors_in_chinese(bank, web_as):
    response = web_as(bank.hall).post(reverse("referrals:submit"), {"estimated_assets_wan": "-1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "请填写客户号，或新客户的姓名。" in html or "预估资产不能为负数" in html
    unknown = web_as(bank.hall).post(reverse("referrals:submit"), {"client_no": "NOPE"})
    assert "客户号 NOPE 不存在" in unknown.content.decode()


def test_submit_form_offers_only_branch_advisors(bank, web_as):
    html = web_as(bank.hall).get(reverse("referrals:submit")).content.decode()
    assert f'value="{bank.advisor.pk}"' in html and f'value="{bank.south_advisor.pk}"' not in html


def test_mine_shows_status_only(bank, referral, web_as):
    html = web_as(bank.hall).get(reverse("referrals:mine")).content.decode()
    main = html.split("<main")[1]
    # The assets (300万) and the phone in any form; not bare digits, which a staff name such as 员工10138 holds.
    assert "张*" in html and "理财到期" not in main
    for shown in ("300万", "300.00万", "3000000", "3,000,000", "13812345678", "138****5678"):
        assert shown not in main, shown


def test_hall_cannot_see_others_referrals(bank, referral, web_as):
    other = submit(bank.account_manager, advisor=bank.advisor)
    web = web_as(bank.hall)
    assert web.get(reverse("referrals:detail", args=[other.pk])).status_code == 404
    # By link, not by the bare number: a staff name such as 员工1413 holds any digit.
    mine = web.get(reverse("referrals:mine")).content.decode().split("<main")[1]
    assert reverse("referrals:detail", args=[other.pk]) not in mine
    assert reverse("referrals:detail", args=[referral.pk]) in mine
    detail = web.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "张*" in detail and "13812345678" not in detail and "138****5678" not in detail
    assert "理财到期" not in detail  # the note is for the advisor


@pytest.mark.parametrize("who", ["advisor2", "south_advisor", "south_manager", "south_hall", "account_manager"])
def test_detail_is_404_out_of_scope(bank, referral, web_as, who):
    web = web_as(getattr(bank, who))
    assert web.get(reverse("referrals:detail", args=[referral.pk])).status_code == 404
    assert web.post(reverse("referrals:act", args=[referral.pk, "contact"])).status_code == 404


def test_assigned_advisor_sees_the_phone_to_call(bank, referral, web_as):
    html = web_as(bank.advisor).get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "13812345678" in html and "理财到期" in html
    manager = web_as(bank.north_manager).get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "138****5678" in manager and "13812345678" not in manager


def test_inbox_lists_own_open_referrals_with_time_left(bank, referral, web_as):
    submit(bank.hall, advisor=bank.advisor2)
    html = web_as(bank.advisor).get(reverse("referrals:inbox")).content.decode()
    assert f'id="referral-{referral.pk}"' in html and html.count('id="referral-') == 1
    assert "超时" in html  # the 2025 fixture is long past due


def test_htmx_contact_from_inbox(bank, referral, web_as):
    response = web_as(bank.advisor).post(reverse("referrals:act", args=[referral.pk, "contact"]),
                                         {"row": "inbox", "note": "已联系"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and f'id="referral-{referral.pk}"' in response.content.decode()
    assert Referral.objects.get(pk=referral.pk).status == "contacted"
    again = web_as(bank.advisor).post(reverse("referrals:act", args=[referral.pk, "contact"]),
                                      {"row": "inbox"}, HTTP_HX_REQUEST="true")
    assert "不能执行" in again.content.decode()


def test_plain_post_redirects_to_detail(bank, referral, web_as):
    transition(referral_id=referral.pk, action="contact", actor=bank.advisor)
    response = web_as(bank.advisor).post(reverse("referrals:act", args=[referral.pk, "decline"]), {"reason": "无意向"})
    assert response.status_code == 302
    assert Referral.objects.get(pk=referral.pk).status == "declined"


def test_board_for_managers_only(bank, referral, web_as):
    assert web_as(bank.advisor).get(reverse("referrals:board")).status_code == 403
    assert web_as(bank.hall).get(reverse("referrals:funnel")).status_code == 403
    south = web_as(bank.south_manager).get(reverse("referrals:board")).content.decode()
    assert f'id="referral-{referral.pk}"' not in south
    for tab in ["open", "due_today", "breached", "unassigned"]:
        assert web_as(bank.north_manager).get(reverse("referrals:board") + f"?tab={tab}").status_code == 200
    html = web_as(bank.north_manager).get(reverse("referrals:board")).content.decode()
    assert f'id="referral-{referral.pk}"' in html and "改派" in html


def test_board_reassign_via_htmx(bank, referral, web_as):
    response = web_as(bank.north_manager).post(reverse("referrals:act", args=[referral.pk, "reassign"]),
                                               {"row": "board", "advisor": bank.advisor2.pk},
                                               HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert Referral.objects.get(pk=referral.pk).advisor == bank.advisor2


def test_board_queries_do_not_grow(bank, web_as, django_assert_max_num_queries):
    for _ in range(3):
        submit(bank.hall, advisor=bank.advisor)
    web = web_as(bank.north_manager)
    with django_assert_max_num_queries(12):
        web.get(reverse("referrals:board"))
    for _ in range(30):
        submit(bank.hall, advisor=bank.advisor)
    with django_assert_max_num_queries(12):
        web.get(reverse("referrals:board"))


def test_funnel_page(bank, referral, web_as):
    html = web_as(bank.north_manager).get(reverse("referrals:funnel") + "?recommended_after=2025-01-01").content.decode()
    assert bank.north_outlet.name in html
    assert web_as(bank.south_manager).get(reverse("referrals:funnel") + "?recommended_after=2025-01-01") \
        .content.decode().count(bank.north_outlet.name) == 0


def test_client_referrals_tag_respects_scope(bank, web_as):
    client = ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor)
    submit(bank.hall, client_no=client.client_no, prospect_name="")
    template = Template("{% load referral_tags %}{% client_referrals client user %}")
    seen = template.render(Context({"client": client, "user": bank.advisor}))
    hidden = template.render(Context({"client": client, "user": bank.south_manager}))
    assert "badge" in seen and "暂无推荐记录" in hidden


def test_board_has_one_shared_advisor_picker_and_no_list_per_row(bank, web_as):
    from tests.factories import StaffFactory
    from wealthcrm.org.choices import Role

    for n in range(15):
        StaffFactory(username=f"bj01_many{n}", role=Role.ADVISOR, org_unit=bank.north_sub)
    for _ in range(4):
        submit(bank.hall, advisor=bank.advisor)
    html = web_as(bank.north_manager).get(reverse("referrals:board")).content.decode()
    assert html.count("data-advisor-picker") == 1 and reverse("org:advisor-picker") in html
    rows = html[html.index("<table"):]  # the filter bar above offers units and advisors once, by design
    assert "<option" not in rows and "bj01_many" not in rows  # advisors come from the picker, not per row
    assert html.count("data-picked-advisor") == 4 and 'name="advisor" value=""' in html  # nobody preselected


def test_reassign_without_picking_an_advisor_is_refused_with_a_reason(bank, referral, web_as):
    response = web_as(bank.north_manager).post(reverse("referrals:act", args=[referral.pk, "reassign"]),
                                               {"row": "board", "advisor": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "请选择新的跟进顾问" in response.content.decode()
    assert Referral.objects.get(pk=referral.pk).advisor == bank.advisor


def test_detail_page_offers_the_picker_to_a_manager_only(bank, referral, web_as):
    manager = web_as(bank.north_manager).get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "data-advisor-picker" in manager and '<select name="advisor"' not in manager
    advisor = web_as(bank.advisor).get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "data-advisor-picker" not in advisor
