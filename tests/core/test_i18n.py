def test_pages_speak_chinese_by_default(db, client):
    assert "用户名" in client.get("/login/").content.decode()


def test_english_is_switchable(db, client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert response.status_code == 302
    page = client.get("/login/").content.decode()
    assert "Username" in page and "Sign in" in page


def test_an_english_browser_still_gets_chinese_until_english_is_chosen(db, client):
    assert "用户名" in client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
