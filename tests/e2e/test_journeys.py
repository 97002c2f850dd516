"""Every role's main job, end to end in real Chromium, in the Chinese UI (issue 23)."""

import re

from playwright.sync_api import expect

from tests.e2e.support import screenshot, sql_one

PHONE = {"width": 390, "height": 844}


def test_advisor_finds_a_client_from_the_header_and_logs_a_callback_without_a_reload(open_page, app_server):
    client_id, name, client_no = sql_one(app_server, """
        SELECT c.id, c.name, c.client_no FROM clients_client c JOIN org_staff s ON s.id = c.advisor_id
        WHERE s.username = 'bj01_adv1' AND char_length(c.name) >= 2 ORDER BY c.id LIMIT 1""")
    page = open_page("bj01_adv1")
    search = page.get_by_role("searchbox", name="搜索")
    search.fill(name[1:])  # part of the name, not its start
    search.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))
    screenshot(page, "journey1-search-results")
    page.get_by_role("link", name=re.compile(client_no)).first.click()
    page.wait_for_url(f"**/clients/{client_id}/")
    timeline = page.locator("#contact-timeline")
    before = timeline.locator("li").count()
    # the form opens on a phone callback of today: one note and one click log it
    page.get_by_label("摘要").fill("电话回访：客户满意，下月到期再联系")
    page.get_by_role("button", name="保存接触记录").click()
    expect(timeline.locator("li").first).to_contain_text("电话回访：客户满意")
    expect(timeline.locator("li")).to_have_count(before + 1)
    assert page.url.endswith(f"/clients/{client_id}/")  # no navigation happened
    screenshot(page, "journey1-contact-logged")


def test_hall_referral_reaches_the_advisor_who_follows_up_and_the_referrer_sees_it(open_page, app_server):
    hall = open_page("bj0101_hall", viewport=PHONE)
    hall.goto("/referrals/new/")
    hall.get_by_label("客户姓名（新客户）").fill("端到端测试客户")
    hall.get_by_label("手机号").fill("13912345678")
    hall.get_by_label("预估资产（万元）").fill("800")
    hall.get_by_label("备注").fill("大额存单到期，想了解理财")
    hall.get_by_role("button", name="提交推荐").click()
    hall.wait_for_url(re.compile(r"/referrals/(mine/|\d+/)"))
    screenshot(hall, "journey2-hall-submitted")
    referral_id, advisor = sql_one(app_server, """
        SELECT r.id, s.username FROM referrals_referral r JOIN org_staff s ON s.id = r.advisor_id
        WHERE r.prospect_name = %s ORDER BY r.id DESC LIMIT 1""", ["端到端测试客户"])

    inbox = open_page(advisor)
    inbox.goto("/referrals/inbox/")
    row = inbox.locator(f"#referral-{referral_id}")
    expect(row).to_contain_text("端到端测试客户")
    # the time left before the one-business-day deadline is shown on the row
    expect(row.locator(".badge").first).to_contain_text(re.compile(r"\d"))
    screenshot(inbox, "journey2-advisor-inbox")
    row.get_by_label("跟进情况").fill("已电话联系，约周三来行面谈")
    row.get_by_role("button", name=re.compile("已联系|联系")).first.click()
    expect(inbox.locator(f"#referral-{referral_id}")).to_contain_text("已联系")

    hall.goto("/referrals/mine/")
    hall.locator(f"a[href='/referrals/{referral_id}/']").first.click()
    expect(hall.locator("main")).to_contain_text("已联系")
    expect(hall.locator("main")).to_contain_text("已电话联系，约周三来行面谈")  # the advisor's reply
    expect(hall.locator("main")).not_to_contain_text("800")  # the referrer never sees client assets back
    screenshot(hall, "journey2-hall-status")


def test_another_advisors_client_is_a_styled_not_found_page(open_page, app_server):
    (other_client,) = sql_one(app_server, """
        SELECT c.id FROM clients_client c JOIN org_staff s ON s.id = c.advisor_id
        WHERE s.username <> 'bj01_adv1' ORDER BY c.id LIMIT 1""")
    page = open_page("bj01_adv1")
    response = page.goto(f"/clients/{other_client}/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="页面不存在")).to_be_visible()
    expect(page.locator("nav")).to_contain_text("客户")  # the app's own layout, not a bare server page
    screenshot(page, "journey5-not-found")


def test_language_switch_changes_the_navigation(open_page):
    page = open_page("bj01_adv1")
    page.goto("/")
    expect(page.locator("nav")).to_contain_text("工作台")
    page.get_by_role("button", name="English").click()
    expect(page.locator("nav")).to_contain_text("Clients")
    expect(page.locator("nav")).not_to_contain_text("工作台")
    screenshot(page, "journey5-english")
    page.get_by_role("button", name="中文").click()
    expect(page.locator("nav")).to_contain_text("工作台")


def test_referral_form_works_from_the_keyboard_alone(open_page, app_server):
    page = open_page("bj0101_hall")
    page.goto("/referrals/new/")
    page.get_by_label("客户号（老客户）").focus()
    page.keyboard.press("Tab")  # → prospect name
    page.keyboard.type("键盘推荐客户")
    page.keyboard.press("Tab")  # → phone
    page.keyboard.type("13812345678")
    page.keyboard.press("Tab")  # → estimated assets
    page.keyboard.type("50")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/referrals/(mine/|\d+/)"))
    assert sql_one(app_server, "SELECT count(*) FROM referrals_referral WHERE prospect_name = %s",
                   ["键盘推荐客户"]) == (1,)
    screenshot(page, "journey5-keyboard")


def test_head_office_requests_the_monthly_report_and_downloads_the_workbook(open_page, app_server, tmp_path):
    import openpyxl

    page = open_page("ho_chen")
    page.goto("/reports/")
    page.get_by_label("格式").select_option("xlsx")
    page.get_by_role("button", name="生成").click()
    row = page.locator("#report-rows tbody tr").first
    # the list refreshes itself (htmx) while the worker builds the file; the bar reaches 100% and a link appears
    expect(row.get_by_role("link", name=re.compile("下载"))).to_be_visible(timeout=90_000)
    expect(row.locator("progress")).to_have_attribute("value", "100")
    screenshot(page, "journey4-report-ready")
    with page.expect_download() as download:
        row.get_by_role("link", name=re.compile("下载")).click()
    path = tmp_path / "report.xlsx"
    download.value.save_as(path)
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["层级汇总", "推荐漏斗", "获客渠道", "顾问考核", "五梯队"]


# Every canvas on the page has drawn something: a few rows of its pixels are not all transparent.
CANVASES_DRAWN = """() => {
  const canvases = [...document.querySelectorAll("canvas[data-chart]")];
  return canvases.length > 0 && canvases.every((canvas) => {
    if (!canvas.width || !canvas.height) { return false; }
    const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] !== 0) { return true; } }
    return false;
  });
}"""


def test_branch_manager_reads_the_dashboard_drills_into_a_sub_branch_and_opens_a_scorecard(open_page, app_server):
    page = open_page("bj_mgr", viewport={"width": 1440, "height": 900})
    page.goto("/performance/dashboard/")
    expect(page.get_by_role("heading", name=re.compile("经营看板"))).to_be_visible()
    assert page.locator("canvas[data-chart]").count() == 5  # tier mix ×2, trend, upgrades/downgrades, funnel
    page.wait_for_function(CANVASES_DRAWN)
    screenshot(page, "journey3-dashboard-branch")
    branch_clients = page.locator("[data-figure=clients]").inner_text()
    sub_branch = page.locator("a[data-drill]").first
    name = sub_branch.inner_text()
    sub_branch.click()
    page.wait_for_url(re.compile(r"/performance/dashboard/\?unit=\d+"))
    expect(page.get_by_role("heading", name=re.compile(name))).to_be_visible()
    assert page.locator("[data-figure=clients]").inner_text() != branch_clients
    page.wait_for_function(CANVASES_DRAWN)
    screenshot(page, "journey3-dashboard-sub-branch")
    advisor = page.locator("a[data-scorecard]").first
    advisor_name = advisor.inner_text()
    advisor.click()
    page.wait_for_url(re.compile(r"/performance/scorecards/\d+/"))
    expect(page.get_by_role("heading", name=re.compile(advisor_name))).to_be_visible()
