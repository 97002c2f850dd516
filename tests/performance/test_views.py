"""The performance pages: who may open which (403), rows out of scope (404), forms, query counts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from performance.models import AnalysisMeeting, Complaint, KpiTarget
from tests.factories import StaffFactory
from tests.performance.factories import at, client_of, contact
from wealthcrm.org.choices import Role

ROLES = ["head_office", "admin", "north_manager", "north_sub_manager", "south_manager", "advisor", "account_manager",
         "centre_advisor", "hall"]
MANAGERS = {"head_office", "admin", "north_manager", "north_sub_manager", "south_manager"}
PAGES = {
    "/performance/leaderboard/?period=2026-10": MANAGERS,
    "/performance/echelons/?period=2026-10": MANAGERS,
    "/performance/meetings/": MANAGERS,
    "/performance/complaints/": MANAGERS,
    "/performance/targets/": {"head_office", "admin"},
    "/performance/scorecard/?period=2026-10": {"advisor", "account_manager", "centre_advisor"},
}


@pytest.fixture
def computed(bank, recompute):
    client = client_of(bank.advisor, created=at(2025, 1, 1))
    contact(client, bank.advisor, at(2026, 10, 5))
    recompute()
    return client


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("url", list(PAGES))
def test_each_page_opens_for_its_roles_only(bank, web_as, computed, url, who):
    status = web_as(getattr(bank, who)).get(url).status_code
    if who in PAGES[url]:
        assert status == 200
    elif url.startswith("/performance/scorecard/") and who in MANAGERS:
        assert status == 302  # managers have no own scorecard: to the leaderboard
    else:
        assert status == 403


def test_anonymous_goes_to_sign_in(client, computed):
    assert client.get("/performance/leaderboard/").status_code == 302


def test_the_advisor_reads_their_scorecard_with_radar_trend_and_reading(bank, web_as, computed):
    page = web_as(bank.advisor).get("/performance/scorecard/?period=2026-10").content.decode()
    for text in ("综合得分", "五维能力雷达", "近 12 个月得分", "优势", "待提升", "有效接触", 'data-chart="'):
        assert text in page
    assert "<script>" not in page  # CSP: no inline script, the chart data is an attribute


def test_a_month_not_computed_says_so(bank, web_as, computed):
    assert "尚未计算" in web_as(bank.advisor).get("/performance/scorecard/?period=2025-01").content.decode()


@pytest.mark.parametrize(("who", "target", "status"), [
    ("north_manager", "advisor", 200), ("north_sub_manager", "advisor", 200), ("head_office", "south_advisor", 200),
    ("south_manager", "advisor", 404), ("north_sub_manager", "centre_advisor", 404), ("advisor", "advisor2", 404),
    ("advisor", "advisor", 200), ("hall", "advisor", 403),
])
def test_drilling_into_an_advisor_is_scoped(bank, web_as, computed, who, target, status):
    url = f"/performance/scorecards/{getattr(bank, target).pk}/?period=2026-10"
    assert web_as(getattr(bank, who)).get(url).status_code == status


@pytest.mark.parametrize(("who", "status"), [
    ("advisor", 200), ("north_manager", 200), ("head_office", 200), ("advisor2", 404), ("south_manager", 404),
    ("hall", 403),
])
def test_the_rows_behind_a_figure_are_scoped(bank, web_as, computed, who, status):
    url = f"/performance/scorecards/{bank.advisor.pk}/2026-10/kpi/effective_contacts/"
    response = web_as(getattr(bank, who)).get(url)
    assert response.status_code == status
    if status == 200:
        assert computed.name in response.content.decode()


@pytest.mark.parametrize("code", ["aum_growth", "new_clients", "tier_upgrades", "calls_per_business_day",
                                  "coverage_rate", "callback_compliance", "referral_sla_rate", "referral_conversion",
                                  "referrals_made", "product_allocation", "product_coverage", "fee_income",
                                  "complaints"])
def test_every_kpi_has_its_rows_page(bank, web_as, computed, code):
    url = f"/performance/scorecards/{bank.advisor.pk}/2026-10/kpi/{code}/"
    assert web_as(bank.advisor).get(url).status_code == 200


@pytest.mark.parametrize("url", ["/performance/scorecards/{pk}/2026-13/kpi/aum_growth/",
                                 "/performance/scorecards/{pk}/2026-10/kpi/happiness/",
                                 "/performance/scorecards/{pk}/2025-01/kpi/aum_growth/"])
def test_bad_kpi_urls_are_404(bank, web_as, computed, url):
    assert web_as(bank.advisor).get(url.format(pk=bank.advisor.pk)).status_code == 404


def test_a_bad_period_on_a_page_is_404(bank, web_as, computed):
    assert web_as(bank.north_manager).get("/performance/leaderboard/?period=abc").status_code == 404


def test_leaderboard_sorts_by_a_kpi_and_narrows_by_unit(bank, web_as, computed):
    page = web_as(bank.north_manager).get(
        f"/performance/leaderboard/?period=2026-10&sort=effective_contacts&org_unit={bank.north_sub.pk}")
    assert page.status_code == 200
    body = page.content.decode()
    assert str(bank.advisor) in body and str(bank.centre_advisor) not in body
    assert web_as(bank.north_manager).get(f"/performance/leaderboard/?org_unit={bank.south.pk}").status_code == 404


def test_leaderboard_queries_do_not_grow(bank, web_as, recompute, django_assert_max_num_queries):
    web = web_as(bank.head_office)
    recompute()
    web.get("/performance/leaderboard/?period=2026-10")
    with django_assert_max_num_queries(12) as few:
        assert web.get("/performance/leaderboard/?period=2026-10").status_code == 200
    baseline = len(few.captured_queries)
    for i in range(15):
        StaffFactory(username=f"more{i}", role=Role.ADVISOR, org_unit=bank.south_sub)
    recompute()
    with django_assert_max_num_queries(baseline):
        assert web.get("/performance/leaderboard/?period=2026-10").status_code == 200


def test_echelon_page_shows_cards_to_head_office(bank, web_as, computed):
    page = web_as(bank.head_office).get("/performance/echelons/?period=2026-10").content.decode()
    assert "分行" in page and "北京分行" in page and "深圳分行" in page
    north = web_as(bank.north_manager).get("/performance/echelons/?period=2026-10").content.decode()
    assert "北京分行" in north and "深圳分行" not in north


def test_head_office_adds_a_target_on_the_page(bank, web_as):
    response = web_as(bank.head_office).post("/performance/targets/", {
        "role": "advisor", "kpi": "coverage_rate", "effective_from": "2026-12-01", "target": "0.5", "weight": "12",
        "cap": "1.2"})
    assert response.status_code == 302
    assert KpiTarget.objects.filter(kpi="coverage_rate", effective_from=dt.date(2026, 12, 1)).exists()
    bad = web_as(bank.head_office).post("/performance/targets/", {
        "role": "advisor", "kpi": "coverage_rate", "effective_from": "2026-12-15", "target": "0.5", "weight": "12",
        "cap": "1.2"})
    assert bad.status_code == 200 and "某月 1 日" in bad.content.decode()


def test_meetings_page_records_a_meeting_and_flags_a_missed_month(bank, web_as):
    client = client_of(bank.centre_advisor)
    web = web_as(bank.north_manager)
    page = web.get("/performance/meetings/").content.decode()
    assert "北京分行" in page and "未召开" in page
    response = web.post("/performance/meetings/", {
        "org_unit": bank.north.pk, "held_on": timezone.localdate().isoformat(),
        "attendees": [bank.centre_advisor.pk], "client_nos": client.client_no, "notes": "月度客户分析会"})
    assert response.status_code == 302
    assert list(AnalysisMeeting.objects.get().clients.all()) == [client]
    assert "深圳分行" not in web.get("/performance/meetings/").content.decode()


def test_meetings_page_refuses_a_client_out_of_scope(bank, web_as):
    south_client = client_of(bank.south_advisor)
    response = web_as(bank.north_manager).post("/performance/meetings/", {
        "org_unit": bank.north.pk, "held_on": "2026-10-20", "attendees": [bank.centre_advisor.pk],
        "client_nos": south_client.client_no})
    assert response.status_code == 200 and not AnalysisMeeting.objects.exists()


def test_complaints_page_records_and_decides(bank, web_as):
    client = client_of(bank.advisor)
    web = web_as(bank.north_sub_manager)
    response = web.post("/performance/complaints/", {"client_no": client.client_no, "advisor": bank.advisor.pk,
                                                     "received_on": "2026-10-12", "note": "服务态度"})
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert web.post(f"/performance/complaints/{complaint.pk}/decide/", {"valid": "1"}).status_code == 302
    complaint.refresh_from_db()
    assert complaint.valid is True and complaint.decided_by == bank.north_sub_manager
    south = Complaint.objects.create(client=client_of(bank.south_advisor), advisor=bank.south_advisor,
                                     received_on=dt.date(2026, 10, 1))
    assert web.post(f"/performance/complaints/{south.pk}/decide/", {"valid": "1"}).status_code == 404
    assert web_as(bank.advisor).post(f"/performance/complaints/{complaint.pk}/decide/",
                                     {"valid": "0"}).status_code == 403


def test_complaint_list_queries_do_not_grow(bank, web_as, django_assert_max_num_queries):
    web = web_as(bank.head_office)
    for _ in range(2):
        Complaint.objects.create(client=client_of(bank.advisor), advisor=bank.advisor, received_on=dt.date(2026, 10, 1))
    web.get("/performance/complaints/")
    with django_assert_max_num_queries(15) as few:
        assert web.get("/performance/complaints/").status_code == 200
    for _ in range(10):
        Complaint.objects.create(client=client_of(bank.advisor), advisor=bank.advisor, received_on=dt.date(2026, 10, 1),
                                 valid=True, decided_by=bank.north_manager)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert web.get("/performance/complaints/").status_code == 200


def test_meeting_list_queries_do_not_grow(bank, web_as, django_assert_max_num_queries):
    web = web_as(bank.head_office)

    def meeting():
        m = AnalysisMeeting.objects.create(org_unit=bank.north, held_on=dt.date(2026, 10, 20))
        m.attendees.set([bank.centre_advisor, bank.north_manager])
        m.clients.set([client_of(bank.centre_advisor)])

    meeting()
    web.get("/performance/meetings/")
    with django_assert_max_num_queries(20) as few:
        assert web.get("/performance/meetings/").status_code == 200
    for _ in range(8):
        meeting()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert web.get("/performance/meetings/").status_code == 200


def test_my_day_counts_todays_effective_calls_against_twenty(bank, web_as):
    client = client_of(bank.advisor)
    now = timezone.now()
    for seconds in (1, 2, 3):  # seconds ago: still today, whenever the test runs
        contact(client, bank.advisor, now - dt.timedelta(seconds=seconds))
    contact(client, bank.advisor, now - dt.timedelta(seconds=4), effective=False)
    contact(client, bank.advisor, now - dt.timedelta(seconds=5), channel="visit")
    page = web_as(bank.advisor).get("/").content.decode()
    assert "3 / 20" in page and "还差 17 通" in page


def test_score_shown_matches_the_stored_score(bank, web_as, computed):
    from performance.models import Scorecard

    score = Scorecard.objects.get(advisor=bank.advisor, period=dt.date(2026, 10, 1)).score
    assert score > Decimal(0)
    assert str(score) in web_as(bank.advisor).get("/performance/scorecard/?period=2026-10").content.decode()


def test_head_office_queues_a_recompute_from_the_echelon_page(bank, web_as):
    from unittest import mock

    from performance import tasks

    with mock.patch.object(tasks.recompute_scorecards_task, "delay", return_value=mock.Mock(id="t-9")) as delay:
        response = web_as(bank.head_office).post("/performance/recompute/?period=2026-10",
                                                 {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/performance/echelons/?period=2026-10"
    delay.assert_called_once_with(period="2026-10")
    assert web_as(bank.north_manager).post("/performance/recompute/?period=2026-10").status_code == 403


def _walk(web, url):
    """The ids on each page of a keyset-paged list (advisors on the leaderboard, complaints), following 下一页."""
    import html
    import re

    seen, pages = [], 0
    while url:
        body = web.get(url).content.decode()
        pages += 1
        seen += re.findall(r'href="/performance/scorecards/(\d+)/\?period', body) or re.findall(
            r'action="/performance/complaints/(\d+)/decide/"', body)
        nxt = re.search(r'<a class="btn btn-sm" href="(\?[^"]*)">下一页', body)
        url = f"{url.split('?')[0]}{html.unescape(nxt.group(1))}" if nxt else None
    return seen, pages


@pytest.mark.parametrize("sort", ["score", "effective_contacts", "complaints"])
def test_the_leaderboard_pages_by_keyset_in_its_sort_order(bank, web_as, computed, monkeypatch, sort):
    from performance import views
    from performance.models import Scorecard

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    seen, pages = _walk(web_as(bank.head_office), f"/performance/leaderboard/?period=2026-10&sort={sort}")
    cards = Scorecard.objects.filter(period=dt.date(2026, 10, 1))
    assert pages > 1
    assert sorted(map(int, seen)) == sorted(cards.values_list("advisor_id", flat=True))  # each advisor once
    if sort == "score":
        assert list(map(int, seen)) == list(cards.order_by("-score", "id").values_list("advisor_id", flat=True))


def test_the_complaint_list_pages_by_keyset(bank, web_as, monkeypatch):
    from performance import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    made = [Complaint.objects.create(client=client_of(bank.advisor), advisor=bank.advisor,
                                     received_on=dt.date(2026, 10, day)) for day in (1, 1, 2, 3, 3)]
    seen, pages = _walk(web_as(bank.north_manager), "/performance/complaints/?state=undecided")
    assert pages == 3
    assert list(map(int, seen)) == [c.pk for c in sorted(made, key=lambda c: (c.received_on, c.pk), reverse=True)]
