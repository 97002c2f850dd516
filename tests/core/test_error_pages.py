"""Error pages speak the bank's language in the app's layout, never a bare server page."""


def test_a_page_of_another_role_is_a_styled_403(bank, web_as):
    response = web_as(bank.advisor).get("/audit/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "无权访问" in page and "返回工作台" in page and "Forbidden" not in page


def test_favicon_is_served(db, client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith(".svg")


def test_role_and_unit_are_not_repeated_in_the_header(bank, web_as):
    bank.ho.name = "总行私人银行部"
    bank.ho.save()
    page = web_as(bank.head_office).get("/").content.decode()
    assert "总行私人银行部 · 总行私人银行部" not in page and "总行私人银行部" in page


def test_form_labels_carry_no_ascii_colon(bank, web_as):
    page = web_as(bank.head_office).get("/clients/").content.decode()
    assert "姓名、客户号或手机号:" not in page and "姓名、客户号或手机号</label>" in page


def test_admin_is_branded(db, client):
    assert "私行财富 CRM 系统管理" in client.get("/admin/login/").content.decode()
