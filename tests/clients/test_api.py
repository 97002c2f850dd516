import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from clients.models import AumSnapshot, Client, Contact
from tests.clients.factories import AumSnapshotFactory, ContactFactory
from tests.factories import ClientFactory
from wealthcrm.audit.models import AuditEvent
from wealthcrm.crypto import blind_index

pytestmark = pytest.mark.django_db

LIST = "/api/v1/clients/"


def detail(client):
    return f"/api/v1/clients/{client.pk}/"


# --- personal data ------------------------------------------------------------------------------------------------

def test_api_shows_personal_data_masked_and_never_in_clear(bank, clients, api_as):
    response = api_as(bank.advisor).get(detail(clients.mine))
    assert response.status_code == 200
    body = response.json()
    assert body["id_number_masked"] == "110101********1234"
    assert body["phone_masked"] == "138****5678"
    assert "id_number" not in body and "phone" not in body
    listing = api_as(bank.head_office).get(LIST).content.decode()
    assert "110101198005171234" not in listing and "13812345678" not in listing


def test_personal_data_is_ciphertext_in_the_database_with_a_lookup_hash(bank, api_as):
    response = api_as(bank.advisor).post(LIST, {"client_no": "X1", "name": "赵敏", "id_number": "11010119900307888X",
                                               "phone": "139 0000 1111"}, format="json")
    assert response.status_code == 201, response.json()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone, id_number_hash, phone_hash FROM clients_client WHERE client_no = 'X1'")
        id_raw, phone_raw, id_hash, phone_hash = cursor.fetchone()
    assert "11010119900307888X" not in id_raw and "13900001111" not in phone_raw
    assert id_hash == blind_index("11010119900307888X") and phone_hash == blind_index("13900001111")
    assert Client.objects.get(id_number_hash=blind_index("11010119900307888x")).phone == "13900001111"


def test_patch_personal_data_keeps_the_hash_and_audits_field_names_only(bank, clients, api_as):
    response = api_as(bank.advisor).patch(detail(clients.mine), {"phone": "13700001234"}, format="json")
    assert response.status_code == 200
    assert response.json()["phone_masked"] == "137****1234"
    clients.mine.refresh_from_db()
    assert clients.mine.phone_hash == blind_index("13700001234")
    event = AuditEvent.objects.get(action="update", client=clients.mine)
    assert event.detail == {"fields": ["phone"]} and event.actor == bank.advisor


def test_invalid_id_number_is_rejected_without_echoing_it(bank, api_as):
    response = api_as(bank.advisor).post(LIST, {"client_no": "X2", "name": "钱", "id_number": "12345"}, format="json")
    assert response.status_code == 400
    assert "id_number" in response.json() and "12345" not in response.content.decode()


def test_reveal_is_for_the_own_advisor_and_head_office_and_is_audited(bank, clients, api_as):
    url = detail(clients.mine) + "reveal/"
    response = api_as(bank.advisor).post(url, {"field": "id_number"}, format="json")
    assert response.status_code == 200 and response.json()["value"] == "110101198005171234"
    assert AuditEvent.objects.filter(action="reveal", client=clients.mine, actor=bank.advisor,
                                     detail={"field": "id_number"}).exists()
    assert api_as(bank.head_office).post(url, {"field": "phone"}, format="json").status_code == 200
    assert api_as(bank.north_sub_manager).post(url, {"field": "phone"}, format="json").status_code == 403
    assert api_as(bank.advisor2).post(url, {"field": "phone"}, format="json").status_code == 404
    assert api_as(bank.hall).post(url, {"field": "phone"}, format="json").status_code == 403
    assert AuditEvent.objects.filter(action="reveal").count() == 2


# --- scope (IDOR) ---------------------------------------------------------------------------------------------------

VISIBLE = {
    "advisor": {"mine"},
    "advisor2": {"colleague"},
    "account_manager": {"outlet"},
    "centre_advisor": {"big"},
    "north_sub_manager": {"mine", "colleague", "outlet"},
    "north_manager": {"mine", "colleague", "outlet", "big"},
    "south_manager": {"south"},
    "head_office": {"mine", "colleague", "outlet", "big", "south"},
    "admin": {"mine", "colleague", "outlet", "big", "south"},
}


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_each_role_lists_and_opens_exactly_its_clients(bank, clients, api_as, who):
    api = api_as(getattr(bank, who))
    listed = {c["client_no"] for c in api.get(LIST).json()["results"]}
    expected = VISIBLE[who]
    assert listed == {getattr(clients, name).client_no for name in expected}
    for name in ("mine", "colleague", "outlet", "big", "south"):
        client = getattr(clients, name)
        assert api.get(detail(client)).status_code == (200 if name in expected else 404)
        assert api.patch(detail(client), {"occupation": "律师"}, format="json").status_code == (
            200 if name in expected else 404)


@pytest.mark.parametrize("who", ["hall", "south_hall"])
def test_hall_staff_get_403_on_client_and_contact_endpoints(bank, clients, api_as, who):
    api = api_as(getattr(bank, who))
    assert api.get(LIST).status_code == 403
    assert api.get(detail(clients.mine)).status_code == 403
    assert api.post(LIST, {"client_no": "H1", "name": "x"}, format="json").status_code == 403
    assert api.get("/api/v1/contacts/").status_code == 403
    assert api.post("/api/v1/contacts/", {}, format="json").status_code == 403


def test_anonymous_gets_401_or_403(clients, api_as):
    assert api_as(None).get(LIST).status_code in (401, 403)


def test_detail_view_is_audited(bank, clients, api_as):
    api_as(bank.north_manager).get(detail(clients.big))
    event = AuditEvent.objects.get(action="view", client=clients.big)
    assert event.actor == bank.north_manager and event.detail == {"via": "api"} and event.ip == "127.0.0.1"


# --- create rules -----------------------------------------------------------------------------------------------------

def test_advisor_creates_in_own_unit_as_own_advisor(bank, api_as):
    response = api_as(bank.advisor).post(LIST, {"client_no": "A1", "name": "周杰", "risk_level": "C2"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["advisor"] == bank.advisor.pk and body["org_unit"] == bank.north_sub.pk
    assert body["tier"] == "sub_branch" and body["aum"] == "0.00"
    assert AuditEvent.objects.filter(action="create", object_id=str(body["id"])).exists()


def test_advisor_cannot_create_for_a_colleague_or_another_unit(bank, api_as):
    response = api_as(bank.advisor).post(LIST, {"client_no": "A2", "name": "x", "advisor": bank.advisor2.pk,
                                               "org_unit": bank.south_sub.pk}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"advisor", "org_unit"}


def test_branch_manager_creates_only_within_subtree(bank, api_as):
    api = api_as(bank.north_manager)
    ok = api.post(LIST, {"client_no": "B1", "name": "x", "org_unit": bank.north_outlet.pk,
                         "advisor": bank.account_manager.pk}, format="json")
    assert ok.status_code == 201
    outside = api.post(LIST, {"client_no": "B2", "name": "x", "org_unit": bank.south.pk}, format="json")
    assert outside.status_code == 400 and "org_unit" in outside.json()


def test_head_office_creates_anywhere_and_money_is_validated(bank, api_as):
    api = api_as(bank.head_office)
    ok = api.post(LIST, {"client_no": "H1", "name": "x", "org_unit": bank.south_sub.pk,
                         "advisor": bank.south_advisor.pk, "investable_assets": "25000000.50"}, format="json")
    assert ok.status_code == 201 and ok.json()["investable_assets"] == "25000000.50"
    for bad in ("1.234", "-5", "abc"):
        response = api.post(LIST, {"client_no": "H2", "name": "x", "org_unit": bank.south_sub.pk,
                                   "investable_assets": bad}, format="json")
        assert response.status_code == 400 and "investable_assets" in response.json()
    dup = api.post(LIST, {"client_no": "H1", "name": "y", "org_unit": bank.south_sub.pk}, format="json")
    assert dup.status_code == 400 and "client_no" in dup.json()


def test_read_only_fields_cannot_be_written(bank, clients, api_as):
    api_as(bank.head_office).patch(detail(clients.mine), {"tier": "head_office", "aum": "1"}, format="json")
    clients.mine.refresh_from_db()
    assert clients.mine.tier == "sub_branch" and clients.mine.aum == Decimal("1000000.00")


# --- filters ----------------------------------------------------------------------------------------------------------

def test_filters(bank, clients, api_as):
    api = api_as(bank.head_office)

    def numbers(query):
        response = api.get(LIST + query)
        assert response.status_code == 200, response.content
        return {c["client_no"] for c in response.json()["results"]}

    assert numbers(f"?org_unit={bank.north_sub.pk}") == {"N0001", "N0002", "N0003"}
    assert numbers("?tier=branch") == {"N0004"}
    assert numbers("?aum_min=20000000") == {"N0004"}
    assert numbers("?aum_max=1000000") == {"N0001", "N0002", "N0003", "S0001"}
    assert numbers(f"?advisor={bank.advisor.pk}") == {"N0001"}
    assert numbers("?search=王") == {"N0001"}
    assert numbers("?search=S0001") == {"S0001"}
    Client.objects.filter(pk=clients.colleague.pk).update(near_threshold=True)
    assert numbers("?near_threshold=true") == {"N0002"}
    assert api.get(LIST + "?tier=platinum").status_code == 400
    assert api.get(LIST + "?risk_level=C9").status_code == 400


def test_client_list_queries_do_not_grow_with_rows(bank, api_as, django_assert_max_num_queries):
    api = api_as(bank.north_manager)
    ClientFactory.create_batch(3, org_unit=bank.north_sub, advisor=bank.advisor)
    with django_assert_max_num_queries(4):
        assert len(api.get(LIST).json()["results"]) == 3
    ClientFactory.create_batch(27, org_unit=bank.north_outlet, advisor=bank.account_manager)
    with django_assert_max_num_queries(4):
        assert len(api.get(LIST).json()["results"]) == 30


# --- reassign ---------------------------------------------------------------------------------------------------------

def test_reassign_by_manager_follows_tier_and_scope(bank, clients, api_as):
    url = detail(clients.big) + "reassign/"
    wrong_level = api_as(bank.north_manager).post(url, {"advisor": bank.advisor.pk}, format="json")
    assert wrong_level.status_code == 400 and "advisor" in wrong_level.json()
    assert api_as(bank.centre_advisor).post(url, {"advisor": bank.centre_advisor.pk}, format="json").status_code == 403
    assert api_as(bank.south_manager).post(url, {"advisor": bank.south_advisor.pk}, format="json").status_code == 404
    url = detail(clients.mine) + "reassign/"
    response = api_as(bank.north_sub_manager).post(url, {"advisor": bank.account_manager.pk}, format="json")
    assert response.status_code == 200 and response.json()["advisor"] == bank.account_manager.pk
    assert AuditEvent.objects.filter(action="update", client=clients.mine, detail__fields=["advisor"]).exists()
    other_branch = api_as(bank.north_sub_manager).post(url, {"advisor": bank.south_advisor.pk}, format="json")
    assert other_branch.status_code == 400


# --- AUM snapshots ----------------------------------------------------------------------------------------------------

AUM = "/api/v1/aum-snapshots/"


def test_single_snapshot_creates_then_updates_and_refreshes_current_aum(bank, clients, api_as):
    api = api_as(bank.head_office)
    first = api.post(AUM, {"client_no": "N0001", "as_of": "2026-01-31", "aum": "21000000.00"}, format="json")
    assert first.status_code == 201
    again = api.post(AUM, {"client_no": "N0001", "as_of": "2026-01-31", "aum": 22000000}, format="json")
    assert again.status_code == 200
    clients.mine.refresh_from_db()
    assert clients.mine.aum == Decimal("22000000.00") and clients.mine.aum_as_of == dt.date(2026, 1, 31)
    older = api.post(AUM, {"client_no": "N0001", "as_of": "2025-12-31", "aum": "5"}, format="json")
    assert older.status_code == 201
    clients.mine.refresh_from_db()
    assert clients.mine.aum == Decimal("22000000.00"), "an older snapshot must not replace the current AUM"


@pytest.mark.parametrize("bad, field", [
    ({"client_no": "N0001", "as_of": "2026-01-31", "aum": "1.234"}, "aum"),
    ({"client_no": "N0001", "as_of": "2026-01-31", "aum": "-1"}, "aum"),
    ({"client_no": "N0001", "as_of": "2026-01-31", "aum": "lots"}, "aum"),
    ({"client_no": "N0001", "as_of": "1970-02-30", "aum": "1"}, "as_of"),
    ({"client_no": "NOPE", "as_of": "2026-01-31", "aum": "1"}, "client_no"),
])
def test_single_bad_snapshot_is_400_with_the_field_named(bank, clients, api_as, bad, field):
    response = api_as(bank.head_office).post(AUM, bad, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not AumSnapshot.objects.exists()


def test_snapshot_batch_applies_valid_items_and_rejects_each_bad_one(bank, clients, api_as):
    AumSnapshotFactory(client=clients.colleague, as_of=dt.date(2026, 1, 31), aum=Decimal("1"))
    items = [
        {"client_no": "N0001", "as_of": "2026-01-31", "aum": "30000000.00"},
        {"client_no": "N0002", "as_of": "2026-01-31", "aum": "2.00"},
        {"client_no": "N0001", "as_of": "2026-01-31", "aum": "1.00"},
        {"client_no": "ZZZ", "as_of": "2026-01-31", "aum": "1.00"},
        {"client_no": "N0003", "as_of": "2026-13-01", "aum": "1.00"},
        {"client_no": "N0003", "as_of": "2026-01-31", "aum": "1.001"},
    ]
    response = api_as(bank.head_office).post(AUM, items, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["created"] == 1 and body["updated"] == 1
    assert [r["index"] for r in body["rejected"]] == [2, 3, 4, 5]
    assert body["rejected"][1] == {"index": 3, "client_no": "ZZZ", "as_of": "2026-01-31",
                                   "errors": {"client_no": ["客户号不存在。"]}}
    assert "as_of" in body["rejected"][2]["errors"] and "aum" in body["rejected"][3]["errors"]
    assert Client.objects.get(pk=clients.mine.pk).aum == Decimal("30000000.00")
    assert Client.objects.get(pk=clients.colleague.pk).aum == Decimal("2.00")


def test_snapshots_are_written_by_head_office_only(bank, clients, api_as):
    item = {"client_no": "N0001", "as_of": "2026-01-31", "aum": "1"}
    for who in ("advisor", "north_manager", "hall"):
        assert api_as(getattr(bank, who)).post(AUM, item, format="json").status_code == 403


# --- contacts ---------------------------------------------------------------------------------------------------------

CONTACTS = "/api/v1/contacts/"


def test_log_contact_via_api_sets_the_caller_as_staff(bank, clients, api_as):
    payload = {"client": clients.mine.pk, "channel": "phone", "purpose": "greeting",
               "occurred_at": "2026-01-05T10:00:00+08:00", "summary": "生日问候", "effective": True,
               "staff": bank.advisor2.pk}
    response = api_as(bank.advisor).post(CONTACTS, payload, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["staff"] == bank.advisor.pk
    assert api_as(bank.advisor).post(CONTACTS, {**payload, "channel": "fax"}, format="json").status_code == 400


def test_contacts_follow_client_scope(bank, clients, api_as):
    mine = ContactFactory(client=clients.mine, staff=bank.advisor)
    south = ContactFactory(client=clients.south, staff=bank.south_advisor)
    api = api_as(bank.advisor)
    assert [c["id"] for c in api.get(CONTACTS).json()["results"]] == [mine.pk]
    assert api.get(f"{CONTACTS}{south.pk}/").status_code == 404
    assert api_as(bank.south_manager).get(f"{CONTACTS}{mine.pk}/").status_code == 404
    assert api_as(bank.north_manager).get(f"{CONTACTS}{mine.pk}/").status_code == 200
    posted = api.post(CONTACTS, {"client": clients.colleague.pk, "channel": "phone", "purpose": "other",
                                 "occurred_at": "2026-01-05T10:00:00+08:00"}, format="json")
    assert posted.status_code == 400 and "client" in posted.json()
    assert not Contact.objects.filter(client=clients.colleague).exists()


def test_contact_filters_and_future_time(bank, clients, api_as):
    ContactFactory(client=clients.mine, staff=bank.advisor, channel="visit", effective=False)
    ContactFactory(client=clients.mine, staff=bank.advisor, channel="phone")
    api = api_as(bank.advisor)
    assert len(api.get(CONTACTS + "?channel=visit").json()["results"]) == 1
    assert len(api.get(CONTACTS + "?effective=true").json()["results"]) == 1
    assert len(api.get(CONTACTS + "?occurred_after=2000-01-01T00:00:00Z").json()["results"]) == 2
    future = api.post(CONTACTS, {"client": clients.mine.pk, "channel": "phone", "purpose": "other",
                                 "occurred_at": "2099-01-01T10:00:00+08:00"}, format="json")
    assert future.status_code == 400 and "occurred_at" in future.json()


def test_contact_list_queries_do_not_grow_with_rows(bank, clients, api_as, django_assert_max_num_queries):
    api = api_as(bank.advisor)
    ContactFactory.create_batch(3, client=clients.mine, staff=bank.advisor)
    # the page's keys, its rows by id, their clients, their staff (and the caller's scope)
    with django_assert_max_num_queries(5):
        assert len(api.get(CONTACTS).json()["results"]) == 3
    ContactFactory.create_batch(27, client=clients.mine, staff=bank.advisor)
    with django_assert_max_num_queries(5):
        assert len(api.get(CONTACTS).json()["results"]) == 30


def test_contact_pages_read_their_rows_whole_in_time_order_across_cursors(bank, clients, api_as):
    """The page's ids come off the index first, then the rows: every field is there and the order holds."""
    second = ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, client_no="N0091", name="赵敏")
    start = dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC)
    made = [ContactFactory(client=(clients.mine, second)[i % 2], staff=bank.advisor, summary=f"第{i}次",
                           occurred_at=start + dt.timedelta(hours=i)) for i in range(7)]
    ContactFactory(client=clients.colleague, staff=bank.advisor2, occurred_at=start + dt.timedelta(days=1))
    expected = sorted(made, key=lambda c: (c.occurred_at, c.pk), reverse=True)
    api = api_as(bank.advisor)
    seen, url = [], CONTACTS + "?page_size=3"
    while url:
        body = api.get(url).json()
        seen += body["results"]
        url = body["next"]
    assert [row["id"] for row in seen] == [c.pk for c in expected]
    back = api.get(body["previous"]).json()["results"]      # from the last page back: the same rows, same order
    assert [row["id"] for row in back] == [c.pk for c in expected[3:6]]
    first = seen[0]
    assert first["summary"] == expected[0].summary and first["client_name"] == expected[0].client.name
    assert first["staff_name"] == str(bank.advisor) and first["channel"] == expected[0].channel
    filtered = api.get(CONTACTS, {"client": second.pk}).json()["results"]
    assert [row["id"] for row in filtered] == [c.pk for c in expected if c.client == second]


def test_search_finds_any_part_of_a_name_or_client_number_or_an_exact_phone(bank, clients, api_as):
    from tests.factories import ClientFactory

    ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, client_no="bj-0099", name="欧阳洋洋",
                  phone="13900001111")
    api = api_as(bank.head_office)

    def numbers(text):
        response = api.get(LIST, {"search": text})
        assert response.status_code == 200, response.content
        return {c["client_no"] for c in response.json()["results"]}

    assert numbers("洋") == {"bj-0099"}          # one character from the middle of a name
    assert numbers("阳洋洋") == {"bj-0099"}       # three characters
    assert numbers("欧阳洋洋") == {"bj-0099"}     # longer than the index pieces: matched as a whole
    assert numbers("阳欧") == set()              # the pieces alone do not make a match
    assert numbers("BJ-00") == {"bj-0099"}       # part of the client number, any case
    assert numbers("s000") == {"S0001"}
    assert numbers("139 0000 1111") == {"bj-0099"}  # an exact phone number, spaces ignored
    assert numbers("1390000") == set()           # part of a phone number finds nothing (personal data)
    assert numbers("强") == {"S0001"}


def test_search_stays_within_scope(bank, clients, api_as):
    response = api_as(bank.advisor).get(LIST, {"search": "强"})
    assert response.status_code == 200 and response.json()["results"] == []


def test_search_can_use_the_pieces_index(bank, clients):
    from django.db import connection

    # A small table is scanned; with scans off the plan shows whether the index matches the query's expression.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = Client.objects.search("洋").values("id").explain()
    assert "Index Scan on client_search_grams" in plan


def test_search_leaves_pieces_every_client_holds_to_the_recheck(bank, clients, api_as):
    """A client number's shared prefix and padding ("bj-", "-00") are in every client's pieces: per the index's
    statistics the search drops them from the index condition, and the recheck still matches the whole number."""
    from clients import models as client_models

    for n in range(40):
        ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, client_no=f"BJ-00{n:02d}{n % 7}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE clients_client")
    client_models._piece_shares.cache_clear()
    try:
        assert client_models.piece_shares()["bj-"] > client_models.COMMON_PIECE_SHARE
        assert client_models.narrowing_pieces(["-00", "394", "bj-", "j-0"]) == ["394"]
        assert client_models.narrowing_pieces(["bj-", "j-0"]) in (["bj-"], ["j-0"])   # the rarest is kept
        found = api_as(bank.head_office).get(LIST, {"search": "bj-00394"}).json()["results"]
        assert [c["client_no"] for c in found] == ["BJ-00394"]
        # pieces all common: the recheck still keeps only the numbers holding the whole text
        found = api_as(bank.head_office).get(LIST, {"search": "bj-003"}).json()["results"]
        assert sorted(c["client_no"] for c in found) == [f"BJ-003{n}{(30 + n) % 7}" for n in range(10)]
    finally:
        client_models._piece_shares.cache_clear()


def test_contact_list_is_latest_contact_first_across_pages(bank, clients, api_as):
    # Created out of time order: the list follows occurred_at (then id), not the order of entry.
    base = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    hours = [5, 1, 9, 3, 9, 7, 2]
    made = [ContactFactory(client=clients.mine if n % 2 else clients.colleague, staff=bank.advisor,
                           occurred_at=base + dt.timedelta(hours=h)) for n, h in enumerate(hours)]
    ContactFactory(client=clients.south, staff=bank.south_advisor, occurred_at=base + dt.timedelta(hours=8))
    expected = [c.pk for c in sorted(made, key=lambda c: (c.occurred_at, c.pk), reverse=True)]
    api = api_as(bank.north_manager)
    url, seen = f"{CONTACTS}?page_size=3", []
    while url:
        body = api.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert seen == expected
    mine = [row["id"] for row in api_as(bank.advisor).get(CONTACTS).json()["results"]]
    assert mine == [pk for pk in expected if Contact.objects.get(pk=pk).client_id == clients.mine.pk]


def test_an_advisor_lists_the_contacts_of_the_clients_they_hold_now(bank, clients, api_as):
    contact = ContactFactory(client=clients.colleague, staff=bank.advisor2)
    assert api_as(bank.advisor).get(CONTACTS).json()["results"] == []
    Client.objects.filter(pk=clients.colleague.pk).update(advisor=bank.advisor)
    assert [row["id"] for row in api_as(bank.advisor).get(CONTACTS).json()["results"]] == [contact.pk]
    assert api_as(bank.advisor2).get(CONTACTS).json()["results"] == []
    assert api_as(bank.advisor2).get(f"{CONTACTS}{contact.pk}/").status_code == 404


def test_contacts_logged_in_the_same_second_page_back_and_forth_without_a_shift(bank, clients, api_as):
    """A page edge inside a run of equal ``occurred_at``: the previous link returns exactly the page before."""
    same = dt.datetime(2026, 2, 1, 9, tzinfo=dt.UTC)
    made = [ContactFactory(client=clients.mine, staff=bank.advisor, occurred_at=same) for _ in range(7)]
    made.append(ContactFactory(client=clients.mine, staff=bank.advisor, occurred_at=same - dt.timedelta(hours=1)))
    expected = [c.pk for c in sorted(made, key=lambda c: (c.occurred_at, c.pk), reverse=True)]
    api = api_as(bank.advisor)
    pages, url = [], CONTACTS + "?page_size=3"
    while url:
        body = api.get(url).json()
        pages.append(([row["id"] for row in body["results"]], body))
        url = body["next"]
    assert [row for ids, _ in pages for row in ids] == expected
    for (before, _), (_, body) in zip(pages, pages[1:], strict=False):
        assert [row["id"] for row in api.get(body["previous"]).json()["results"]] == before
