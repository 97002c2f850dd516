import pytest

from tests.factories import StaffFactory
from wealthcrm.org.choices import OrgKind, Role
from wealthcrm.org.models import OrgUnit, Staff


def test_token_sign_in_and_use(bank, client):
    response = client.post("/api/v1/auth/token/", {"username": "bj01_adv", "password": bank.password},
                           content_type="application/json")
    assert response.status_code == 200
    token = response.json()["token"]
    me = client.get("/api/v1/staff/", HTTP_AUTHORIZATION=f"Token {token}")
    assert me.status_code == 200


def test_token_sign_in_with_a_wrong_password_is_refused(bank, client):
    response = client.post("/api/v1/auth/token/", {"username": "bj01_adv", "password": "wrong"},
                           content_type="application/json")
    assert response.status_code == 400
    assert "token" not in response.json()


def test_session_sign_in_through_the_login_page(bank, client):
    page = client.get("/login/")
    assert page.status_code == 200
    assert "登录" in page.content.decode()
    response = client.post("/login/", {"username": "bj01_adv", "password": bank.password})
    assert response.status_code == 302
    assert client.get("/api/v1/staff/").status_code == 200
    assert client.get("/").status_code == 200


def test_the_api_needs_authentication(db, client):
    assert client.get("/api/v1/org-units/").status_code in (401, 403)


@pytest.mark.parametrize("role_attr", ["advisor", "north_manager", "hall", "account_manager"])
def test_only_admin_and_head_office_write_org_units_and_staff(bank, api_as, role_attr):
    api = api_as(getattr(bank, role_attr))
    assert api.post("/api/v1/org-units/", {"code": "N1", "name": "新网点", "kind": "outlet",
                                           "parent": bank.north_sub.pk}, format="json").status_code == 403
    assert api.post("/api/v1/staff/", {"username": "x", "password": "Very-Long-Pass-77", "role": "advisor",
                                       "org_unit": bank.north_sub.pk}, format="json").status_code == 403


@pytest.mark.parametrize("role_attr", ["head_office", "admin"])
def test_admin_and_head_office_create_units_and_staff(bank, api_as, role_attr):
    api = api_as(getattr(bank, role_attr))
    unit = api.post("/api/v1/org-units/", {"code": "BJ0102", "name": "国贸网点", "kind": "outlet",
                                           "parent": bank.north_sub.pk}, format="json")
    assert unit.status_code == 201, unit.content
    assert unit.json()["parent"] == bank.north_sub.pk
    staff = api.post("/api/v1/staff/", {"username": "newadv", "password": "Very-Long-Pass-77",
                                        "display_name": "新顾问", "role": "advisor",
                                        "org_unit": unit.json()["id"]}, format="json")
    assert staff.status_code == 201, staff.content
    assert "password" not in staff.json()
    assert Staff.objects.get(username="newadv").check_password("Very-Long-Pass-77")


def test_bad_org_unit_input_is_a_400_naming_the_field(bank, api_as):
    api = api_as(bank.head_office)
    wrong_level = api.post("/api/v1/org-units/", {"code": "Z", "name": "错层", "kind": "outlet",
                                                  "parent": bank.north.pk}, format="json")
    assert wrong_level.status_code == 400 and "kind" in wrong_level.json()
    unknown_kind = api.post("/api/v1/org-units/", {"code": "Z", "name": "未知", "kind": "planet",
                                                   "parent": bank.north.pk}, format="json")
    assert unknown_kind.status_code == 400 and "kind" in unknown_kind.json()


def test_weak_passwords_are_refused_by_djangos_validators(bank, api_as):
    response = api_as(bank.admin).post("/api/v1/staff/", {"username": "weak", "password": "123456", "role": "advisor",
                                                          "org_unit": bank.north_sub.pk}, format="json")
    assert response.status_code == 400 and "password" in response.json()


def test_out_of_scope_units_and_staff_are_404(bank, api_as):
    api = api_as(bank.advisor)
    assert api.get(f"/api/v1/org-units/{bank.north_sub.pk}/").status_code == 200
    assert api.get(f"/api/v1/org-units/{bank.south.pk}/").status_code == 404
    assert api.get(f"/api/v1/staff/{bank.south_advisor.pk}/").status_code == 404
    manager = api_as(bank.north_sub_manager)
    assert manager.get(f"/api/v1/staff/{bank.centre_advisor.pk}/").status_code == 404


def test_foreign_keys_are_integer_ids(bank, api_as):
    body = api_as(bank.head_office).get(f"/api/v1/staff/{bank.advisor.pk}/").json()
    assert body["org_unit"] == bank.north_sub.pk
    assert body["role"] == Role.ADVISOR


def test_org_unit_list_queries_do_not_grow_with_rows(bank, api_as, django_assert_max_num_queries):
    api = api_as(bank.head_office)
    with django_assert_max_num_queries(4):
        assert api.get("/api/v1/staff/").status_code == 200
    for i in range(30):
        StaffFactory(role=Role.ADVISOR, org_unit=bank.north_sub)
        OrgUnit.objects.create(code=f"O{i}", name=f"网点{i}", kind=OrgKind.OUTLET, parent=bank.north_sub)
    with django_assert_max_num_queries(4):
        assert len(api.get("/api/v1/staff/").json()["results"]) == 42
    with django_assert_max_num_queries(4):
        assert api.get("/api/v1/org-units/").status_code == 200


def test_staff_list_filters_by_org_unit_including_descendants(bank, api_as):
    body = api_as(bank.head_office).get("/api/v1/staff/", {"org_unit": bank.north_sub.pk}).json()
    assert {row["username"] for row in body["results"]} == {"bj01_mgr", "bj01_adv", "bj01_adv2", "bj0101_am",
                                                           "bj0101_hall"}
    assert api_as(bank.head_office).get("/api/v1/staff/", {"role": "pilot"}).status_code == 400
