"""Issue 19 item 1: a referral never opens another advisor's client to the referrer (API.md "Security").

A referral of an existing client always goes to that client's advisor; naming anyone else is a 400 on the
``advisor`` field. The referrer who may not see the client gets its status only (masked surname, no assets),
and cannot act on it: no contact is written on that client.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from clients.models import Contact
from clients.services import log_contact
from referrals.models import Referral

pytestmark = pytest.mark.django_db

REFERRERS = ["advisor", "account_manager", "north_manager", "hall"]


@pytest.mark.parametrize("who", REFERRERS)
def test_naming_anyone_but_the_clients_advisor_is_refused(bank, world, api_as, who):
    referrer = getattr(bank, who)
    named = bank.advisor if who == "hall" else referrer  # hall staff name an advisor; the others themselves
    response = api_as(referrer).post("/api/v1/referrals/", {"client_no": world.south.client_no,
                                                            "advisor": named.pk}, format="json")
    assert response.status_code == 400
    assert "advisor" in response.json()
    assert not Referral.objects.filter(client=world.south).exists()


@pytest.mark.parametrize("who", REFERRERS)
def test_the_referrer_of_a_client_they_may_not_see_gets_status_only_and_cannot_act(bank, world, api_as, who):
    api = api_as(getattr(bank, who))
    response = api.post("/api/v1/referrals/", {"client_no": world.south.client_no, "estimated_assets": "9000000"},
                        format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["advisor"] == bank.south_advisor.pk
    assert body["subject"] == f"张*（{world.south.client_no}）"
    assert "张强" not in response.content.decode()
    assert not {"client_name", "estimated_assets", "note", "prospect_phone_masked"} & set(body)
    assert not body.get("can_act", False)
    assert api.get(f"/api/v1/referrals/{body['id']}/").json()["subject"] == f"张*（{world.south.client_no}）"

    assert api.post(f"/api/v1/referrals/{body['id']}/contact/", {"note": "已联系"}, format="json").status_code == 404
    assert not Contact.objects.filter(client=world.south).exists()
    assert Referral.objects.get(pk=body["id"]).status == "recommended"


def test_the_clients_own_advisor_and_their_manager_act_and_record_the_contact(bank, world, api_as):
    referral_id = api_as(bank.hall).post("/api/v1/referrals/", {"client_no": world.south.client_no,
                                                                "advisor": bank.south_advisor.pk},
                                         format="json").json()["id"]
    detail = api_as(bank.south_manager).get(f"/api/v1/referrals/{referral_id}/").json()
    assert detail["can_act"] and detail["client_name"] == "张强"
    response = api_as(bank.south_advisor).post(f"/api/v1/referrals/{referral_id}/contact/", {}, format="json")
    assert response.status_code == 200
    assert Contact.objects.filter(client=world.south, staff=bank.south_advisor).count() == 1


def test_a_referral_of_a_client_without_advisor_goes_to_the_clients_branch(bank, world, api_as):
    world.south.advisor = None
    world.south.save()
    response = api_as(bank.advisor).post("/api/v1/referrals/", {"client_no": world.south.client_no},
                                         format="json")
    assert response.status_code == 201
    # 支行级: the least-loaded advisor of the client's sub-branch, not one of the referrer's
    assert response.json()["advisor"] == bank.south_advisor.pk
    assert api_as(bank.advisor).post("/api/v1/referrals/", {"client_no": world.south.client_no,
                                                            "advisor": bank.advisor.pk},
                                     format="json").status_code == 400


@pytest.mark.parametrize("who", ["advisor2", "north_manager", "south_advisor", "hall"])
def test_only_the_clients_advisor_or_a_manager_in_scope_records_a_contact(bank, world, who):
    with pytest.raises(PermissionDenied):
        log_contact(client=world.mine if who != "north_manager" else world.south, staff=getattr(bank, who),
                    channel="phone", purpose="other", occurred_at=timezone.now())
    assert not Contact.objects.exists()
    for staff, client in ((bank.advisor, world.mine), (bank.north_sub_manager, world.mine),
                          (bank.head_office, world.south)):
        log_contact(client=client, staff=staff, channel="phone", purpose="other", occurred_at=timezone.now())
    assert Contact.objects.count() == 3
