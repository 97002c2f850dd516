import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse

from clients.models import Client
from tests.factories import ClientFactory
from tiers import services
from tiers.models import TierPolicy
from wealthcrm.tiering import Tier

AS_OF = date(2026, 3, 31)


def _text(response):
    return response.content.decode()


# --- policy page ----------------------------------------------------------------------------------------------

def test_head_office_adds_a_policy_on_the_page(bank, web_as):
    web = web_as(bank.head_office)
    response = web.post(reverse("tiers:policy"), {
        "effective_from": "2027-01-01", "head_office_floor": "120000000", "branch_floor": "25000000",
        "near_threshold_margin": "0.05"})
    assert response.status_code == 302
    policy = TierPolicy.objects.get(effective_from=date(2027, 1, 1))
    assert (policy.branch_floor, policy.created_by) == (Decimal("25000000.00"), bank.head_office)


def test_policy_page_shows_the_form_errors(bank, web_as):
    response = web_as(bank.head_office).post(reverse("tiers:policy"), {
        "effective_from": "2000-01-01", "head_office_floor": "10", "branch_floor": "20", "near_threshold_margin": "0.1"})
    assert response.status_code == 200
    assert "总行级门槛必须高于分行级门槛" in _text(response) or "该生效日期已有分层政策" in _text(response)


@pytest.mark.parametrize(("who", "code", "form"), [
    ("head_office", 200, True), ("north_manager", 200, False), ("advisor", 200, False), ("hall", 403, False)])
def test_policy_page_is_read_only_below_head_office(bank, web_as, who, code, form):
    response = web_as(getattr(bank, who)).get(reverse("tiers:policy"))
    assert response.status_code == code
    if code == 200:
        assert ("保存政策" in _text(response)) is form
        assert "价值分群口径" in _text(response)


def test_only_head_office_posts_a_policy(bank, web_as):
    response = web_as(bank.north_manager).post(reverse("tiers:policy"), {
        "effective_from": "2027-01-01", "head_office_floor": "120000000", "branch_floor": "25000000",
        "near_threshold_margin": "0.05"})
    assert response.status_code == 403
    assert not TierPolicy.objects.filter(effective_from=date(2027, 1, 1)).exists()


def test_only_head_office_recomputes_from_the_page(bank, web_as):
    assert web_as(bank.north_manager).post(reverse("tiers:recompute")).status_code == 403


# --- lists and their scope ------------------------------------------------------------------------------------

@pytest.fixture
def book(bank):
    """Near-threshold and tier-changed clients across the bank, recomputed as of AS_OF."""
    clients = {
        "mine": ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, aum=Decimal("19000000.00"), name="甲近"),
        "colleague": ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor2, aum=Decimal("18500000.00"),
                                   name="乙近"),
        "centre": ClientFactory(org_unit=bank.north, advisor=bank.centre_advisor, aum=Decimal("95000000.00"),
                                name="丙近"),
        "south": ClientFactory(org_unit=bank.south_sub, advisor=bank.south_advisor, aum=Decimal("19999999.99"),
                               name="丁近"),
        "far": ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, aum=Decimal("1000.00"), name="戊远"),
    }
    services.recompute_tiers(as_of=AS_OF)
    return clients


@pytest.mark.parametrize(("who", "expected"), [
    ("head_office", {"甲近", "乙近", "丙近", "丁近"}),
    ("north_manager", {"甲近", "乙近", "丙近"}),
    ("north_sub_manager", {"甲近", "乙近"}),
    ("advisor", {"甲近"}),
    ("centre_advisor", {"丙近"}),
    ("south_manager", {"丁近"}),
])
def test_near_threshold_list_is_scoped(bank, book, web_as, who, expected):
    response = web_as(getattr(bank, who)).get(reverse("tiers:near-threshold"))
    assert response.status_code == 200
    shown = {name for name in ("甲近", "乙近", "丙近", "丁近", "戊远") if name in _text(response)}
    assert shown == expected


def test_hall_staff_see_no_tier_lists(bank, book, web_as):
    web = web_as(bank.hall)
    for name in ("tiers:near-threshold", "tiers:changes", "tiers:distribution", "tiers:reassign"):
        assert web.get(reverse(name)).status_code == 403, name


def test_near_threshold_csv_is_scoped_neutralised_and_audited(bank, book, web_as, settings, tmp_path,
                                                               django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    Client.objects.filter(pk=book["mine"].pk).update(name="=HYPERLINK(1)")
    web = web_as(bank.north_sub_manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = web.post(reverse("exports:request", args=["near_threshold"]))
    assert response.status_code == 302
    job_id = int(response.url.rstrip("/").rsplit("/", 1)[1])
    download = web.get(reverse("export-download", args=[job_id]))
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["客户号", "姓名", "所属机构"]
    names = {row[1] for row in rows[1:]}
    assert names == {"'=HYPERLINK(1)", "乙近"}
    gap = {row[1]: row[7] for row in rows[1:]}
    assert rows[0][7] == "距门槛差额（万元）" and gap["乙近"] == "150.00"  # 1,500,000.00 元
    from wealthcrm.audit.models import AuditEvent

    event = AuditEvent.objects.filter(action="export").earliest("id")
    assert (event.actor, event.object_type, event.detail["list"]) == (bank.north_sub_manager, "exports.exportjob",
                                                                     "near_threshold")


def test_near_threshold_filters_by_org_unit_for_managers(bank, book, web_as):
    response = web_as(bank.head_office).get(reverse("tiers:near-threshold"), {"org_unit": bank.south.pk})
    assert "丁近" in _text(response) and "甲近" not in _text(response)


def test_near_threshold_page_query_count_does_not_grow(bank, web_as, django_assert_max_num_queries):
    web = web_as(bank.head_office)
    ClientFactory.create_batch(3, org_unit=bank.north_sub, advisor=bank.advisor, aum=Decimal("19000000.00"))
    services.recompute_tiers(as_of=AS_OF)
    with django_assert_max_num_queries(12) as few:
        web.get(reverse("tiers:near-threshold"))
    ClientFactory.create_batch(30, org_unit=bank.north_sub, advisor=bank.advisor2, aum=Decimal("19000000.00"))
    services.recompute_tiers(as_of=AS_OF)
    with django_assert_max_num_queries(len(few.captured_queries)):
        web.get(reverse("tiers:near-threshold"))


@pytest.mark.parametrize(("who", "expected"), [
    ("head_office", {"甲近", "乙近", "丙近", "丁近"}),
    ("north_manager", {"甲近", "乙近", "丙近"}),
    ("advisor", {"甲近"}),
])
def test_change_log_is_scoped(bank, web_as, who, expected):
    ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, aum=Decimal("25000000.00"), name="甲近")
    ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor2, aum=Decimal("25000000.00"), name="乙近")
    ClientFactory(org_unit=bank.north, advisor=bank.centre_advisor, aum=Decimal("125000000.00"), name="丙近")
    ClientFactory(org_unit=bank.south_sub, advisor=bank.south_advisor, aum=Decimal("25000000.00"), name="丁近")
    services.recompute_tiers(as_of=AS_OF)
    response = web_as(getattr(bank, who)).get(reverse("tiers:changes"))
    assert response.status_code == 200
    assert {n for n in ("甲近", "乙近", "丙近", "丁近") if n in _text(response)} == expected


def test_change_log_filters_and_bad_choice(bank, web_as):
    ClientFactory(org_unit=bank.north_sub, aum=Decimal("25000000.00"), name="甲升")
    ClientFactory(org_unit=bank.north_sub, aum=Decimal("125000000.00"), name="乙升")
    services.recompute_tiers(as_of=AS_OF)
    web = web_as(bank.head_office)
    text = _text(web.get(reverse("tiers:changes"), {"to_tier": Tier.HEAD_OFFICE}))
    assert "乙升" in text and "甲升" not in text
    assert "甲升" not in _text(web.get(reverse("tiers:changes"), {"to_tier": "nope"}))


def test_distribution_groups_children_of_the_chosen_unit(bank, web_as):
    ClientFactory(org_unit=bank.north_outlet, aum=Decimal("30000000.00"))
    ClientFactory(org_unit=bank.north_sub, aum=Decimal("10.00"))
    ClientFactory(org_unit=bank.north, aum=Decimal("150000000.00"))
    ClientFactory(org_unit=bank.south_sub, aum=Decimal("10.00"))
    services.recompute_tiers(as_of=AS_OF)
    from tiers.selectors import tier_distribution

    rows = {row["unit"].code: row for row in tier_distribution(bank.head_office, bank.ho)}
    assert (rows["BJ"]["n"], rows["SZ"]["n"]) == (3, 1)
    north = {row["unit"].code: {c["tier"]: c["n"] for c in row["tiers"]}
             for row in tier_distribution(bank.head_office, bank.north)}
    assert north["BJ"] == {"head_office": 1, "branch": 0, "sub_branch": 0}  # booked at the branch itself
    assert north["BJ01"] == {"head_office": 0, "branch": 1, "sub_branch": 1}
    response = web_as(bank.north_manager).get(reverse("tiers:distribution"), {"unit": bank.north_sub.pk})
    assert response.status_code == 200
    assert web_as(bank.north_manager).get(reverse("tiers:distribution"), {"unit": bank.south.pk}).status_code == 404


def test_distribution_is_for_managers(bank, web_as):
    assert web_as(bank.advisor).get(reverse("tiers:distribution")).status_code == 403


def test_distribution_query_count_does_not_grow_with_units(bank, web_as, django_assert_max_num_queries):
    from tests.factories import OrgUnitFactory

    web = web_as(bank.head_office)
    ClientFactory(org_unit=bank.north_sub, aum=Decimal("10.00"))
    with django_assert_max_num_queries(12) as few:
        web.get(reverse("tiers:distribution"))
    for _n in range(5):
        unit = OrgUnitFactory(kind="branch", parent=bank.ho)
        ClientFactory(org_unit=unit, aum=Decimal("10.00"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        web.get(reverse("tiers:distribution"))


# --- reassign list ---------------------------------------------------------------------------------------

@pytest.fixture
def misplaced(bank):
    upgraded = ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, aum=Decimal("30000000.00"), name="升入中心")
    downgraded = ClientFactory(org_unit=bank.north, advisor=bank.centre_advisor, aum=Decimal("100.00"), name="降出中心")
    fine = ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, aum=Decimal("100.00"), name="层级匹配")
    south = ClientFactory(org_unit=bank.south_sub, advisor=bank.south_advisor, aum=Decimal("30000000.00"),
                          name="南方升级")
    services.recompute_tiers(as_of=AS_OF)
    return {"upgraded": upgraded, "downgraded": downgraded, "fine": fine, "south": south}


@pytest.mark.parametrize(("who", "expected"), [
    ("head_office", {"升入中心", "降出中心", "南方升级"}),
    ("north_manager", {"升入中心", "降出中心"}),
    ("north_sub_manager", {"升入中心"}),
    ("south_manager", {"南方升级"}),
])
def test_reassign_list_shows_mismatched_clients_in_scope(bank, misplaced, web_as, who, expected):
    response = web_as(getattr(bank, who)).get(reverse("tiers:reassign"))
    assert response.status_code == 200
    names = ("升入中心", "降出中心", "层级匹配", "南方升级")
    assert {n for n in names if n in _text(response)} == expected


def test_reassign_is_for_managers(bank, web_as):
    assert web_as(bank.advisor).get(reverse("tiers:reassign")).status_code == 403


def test_reassign_offers_centre_advisors_for_centre_tiers(bank, misplaced, web_as):
    from tiers.selectors import advisor_candidates

    client = Client.objects.select_related("org_unit").get(pk=misplaced["upgraded"].pk)
    assert list(advisor_candidates(bank.north_manager, client)) == [bank.centre_advisor]
    client = Client.objects.select_related("org_unit").get(pk=misplaced["downgraded"].pk)
    assert set(advisor_candidates(bank.north_manager, client)) == {
        bank.advisor, bank.advisor2, bank.account_manager}


def test_manager_reassigns_through_the_clients_service(bank, misplaced, web_as):
    web = web_as(bank.north_manager)
    client = misplaced["upgraded"]
    response = web.post(reverse("tiers:reassign-client", args=[client.pk]), {"advisor": bank.centre_advisor.pk})
    assert response.status_code == 302
    client.refresh_from_db()
    assert client.advisor == bank.centre_advisor
    from tiers.selectors import mismatched_clients

    assert not mismatched_clients(Client.objects.visible_to(bank.north_manager)).filter(pk=client.pk).exists()


def test_reassign_refuses_an_advisor_of_the_wrong_level_or_scope(bank, misplaced, web_as):
    web = web_as(bank.north_manager)
    client = misplaced["upgraded"]
    web.post(reverse("tiers:reassign-client", args=[client.pk]), {"advisor": bank.advisor2.pk})
    web.post(reverse("tiers:reassign-client", args=[client.pk]), {"advisor": bank.south_advisor.pk})
    client.refresh_from_db()
    assert client.advisor == bank.advisor
    assert web.post(reverse("tiers:reassign-client", args=[misplaced["south"].pk]),
                    {"advisor": bank.centre_advisor.pk}).status_code == 404


# --- client 360 card -------------------------------------------------------------------------------------

def test_tier_history_tag_renders_the_clients_changes(bank):
    client = ClientFactory(org_unit=bank.north, aum=Decimal("100000000.00"))
    services.recompute_tiers(as_of=AS_OF)
    html = Template("{% load tiers_tags %}{% tier_history client %}").render(Context({"client": client}))
    assert "2026-03-31" in html and "总行级" in html and "升级" in html


def test_change_log_pages_by_date_then_id(bank, web_as, monkeypatch):
    from tiers import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for n, day in enumerate([date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)]):
        client = ClientFactory(org_unit=bank.north_sub, aum=Decimal("25000000.00"), name=f"第{n}位")
        services.recompute_tiers(as_of=day)
        assert client.tier_changes.count() == 1
    web = web_as(bank.head_office)
    first = web.get(reverse("tiers:changes"))
    assert "第2位" in _text(first) and "第1位" in _text(first) and "第0位" not in _text(first)
    second = web.get(reverse("tiers:changes") + first.context["links"]["next"])
    assert "第0位" in _text(second) and "第1位" not in _text(second)


# --- the shared advisor picker on the reassign list ----------------------------------------------------------

def test_reassign_list_has_one_picker_not_a_list_of_advisors_per_row(bank, misplaced, web_as):
    html = _text(web_as(bank.north_manager).get(reverse("tiers:reassign")))
    assert html.count("data-advisor-picker") == 1 and "<option" not in html
    assert html.count("data-picked-advisor") == 2  # one empty advisor field per row: nobody preselected
    assert 'name="advisor" value=""' in html


def test_reassign_list_queries_do_not_grow_with_rows(bank, misplaced, web_as, django_assert_max_num_queries):
    from tests.factories import StaffFactory
    from wealthcrm.org.choices import Role

    web = web_as(bank.north_manager)
    with django_assert_max_num_queries(12) as few:
        web.get(reverse("tiers:reassign"))
    for n in range(10):
        StaffFactory(role=Role.ADVISOR, org_unit=bank.north_sub, username=f"bj01_more{n}")
        ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, aum=Decimal("30000000.00"), name=f"又升{n}")
    services.recompute_tiers(as_of=AS_OF)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = web.get(reverse("tiers:reassign"))
    assert "又升9" in _text(response) and "bj01_more" not in _text(response)


def test_reassign_says_why_a_picked_advisor_cannot_take_the_client(bank, misplaced, web_as):
    web = web_as(bank.north_manager)
    response = web.post(reverse("tiers:reassign-client", args=[misplaced["upgraded"].pk]),
                        {"advisor": bank.advisor2.pk}, follow=True)
    assert "只能改派给本分行、与其层级相符的顾问" in _text(response)
    response = web.post(reverse("tiers:reassign-client", args=[misplaced["upgraded"].pk]), {"advisor": ""},
                        follow=True)
    assert "请选择一位可以接手该客户的顾问" in _text(response)


# --- the tier mix: counted per unit by the recompute ---------------------------------------------------------

def _mix(response):
    return {t["tier"]: t["n"] for t in response.context["totals"]}


def test_distribution_reads_the_counts_of_the_last_recompute(bank, web_as):
    from tiers.models import TierCount

    ClientFactory(org_unit=bank.north_sub, aum=Decimal("30000000.00"))
    ClientFactory(org_unit=bank.south_sub, aum=Decimal("10.00"))
    services.recompute_tiers(as_of=AS_OF)
    assert set(TierCount.objects.values_list("org_unit__code", "tier", "clients")) == {
        ("BJ01", "branch", 1), ("SZ01", "sub_branch", 1)}
    web = web_as(bank.head_office)
    response = web.get(reverse("tiers:distribution"))
    assert _mix(response) == {"head_office": 0, "branch": 1, "sub_branch": 1}
    assert response.context["counted_at"] is not None and "分层重算" in _text(response)
    late = ClientFactory(org_unit=bank.north_sub, aum=Decimal("10.00"))  # counted from the next recompute on
    assert _mix(web.get(reverse("tiers:distribution"))) == {"head_office": 0, "branch": 1, "sub_branch": 1}
    services.recompute_tiers(as_of=AS_OF)
    assert _mix(web.get(reverse("tiers:distribution"))) == {"head_office": 0, "branch": 1, "sub_branch": 2}
    Client.objects.filter(org_unit=bank.south_sub).delete()
    late.delete()
    services.recompute_tiers(as_of=AS_OF)  # a unit × tier that empties out reads 0, not its old count
    assert set(TierCount.objects.values_list("org_unit__code", "tier", "clients")) == {("BJ01", "branch", 1)}
    north = web_as(bank.north_manager).get(reverse("tiers:distribution"))
    assert _mix(north) == {"head_office": 0, "branch": 1, "sub_branch": 0}


def test_managers_home_tier_mix_is_the_counts_in_their_scope(bank, web_as, django_assert_max_num_queries):
    ClientFactory(org_unit=bank.north_sub, aum=Decimal("30000000.00"))
    ClientFactory(org_unit=bank.south_sub, aum=Decimal("10.00"))
    services.recompute_tiers(as_of=AS_OF)

    def mix(user):
        rows = web_as(user).get(reverse("home")).context["overview"]["tier_mix"]
        return {row["tier"]: row["n"] for row in rows}

    assert mix(bank.head_office) == {"head_office": 0, "branch": 1, "sub_branch": 1}
    assert mix(bank.north_manager) == {"head_office": 0, "branch": 1, "sub_branch": 0}
    assert mix(bank.south_manager) == {"head_office": 0, "branch": 0, "sub_branch": 1}
    web = web_as(bank.head_office)
    with django_assert_max_num_queries(30) as few:
        web.get(reverse("home"))
    for _n in range(20):
        ClientFactory(org_unit=bank.south_sub, aum=Decimal("10.00"))
    services.recompute_tiers(as_of=AS_OF)
    with django_assert_max_num_queries(len(few.captured_queries)):
        web.get(reverse("home"))
