"""Issue 21 item 3: signing a prospect links or creates the client (its core-banking number given at signing),
exactly once under concurrency, never a client outside the signer's placement scope; the new client, the
referral credit and the acquisition channel reach the scorecards and the dashboard."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections
from django.utils import timezone

from clients.models import Client
from performance import dashboards
from performance import services as performance
from performance.choices import KpiCode
from performance.models import KpiValue
from performance.reports.summary import refresh_channel_summary
from referrals.choices import ClientSource
from referrals.models import Referral
from referrals.services import TransitionNotAllowed, transition
from tests.concurrency import run_at_once
from tests.factories import ClientFactory
from tests.referrals.factories import at, submit
from wealthcrm.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _contacted(referral, advisor, now=None):
    return transition(referral_id=referral.pk, action="contact", actor=advisor, now=now or at(2025, 3, 4, 9))


def test_signing_a_prospect_creates_the_client_under_the_advisor(bank, referral):
    _contacted(referral, bank.advisor)
    r = transition(referral_id=referral.pk, action="sign", actor=bank.advisor, client_no=" 6222000001 ",
                   now=at(2025, 3, 6, 9))
    client = Client.objects.get(client_no="6222000001")
    assert (client.name, client.phone, client.org_unit, client.advisor, client.acquisition_channel) == (
        "张三", "13812345678", bank.north_sub, bank.advisor, "hall")
    assert (r.client, r.client_no, r.client_source) == (client, "6222000001", ClientSource.CREATED)
    assert AuditEvent.objects.filter(action="create", client=client, actor=bank.advisor).exists()


def test_signing_links_the_advisors_existing_client(bank, referral):
    mine = ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor, client_no="6222000002")
    _contacted(referral, bank.advisor)
    r = transition(referral_id=referral.pk, action="sign", actor=bank.advisor, client_no="6222000002")
    assert (r.client, r.client_source) == (mine, ClientSource.LINKED)
    assert Client.objects.count() == 1


def test_signing_links_an_unmanaged_client_of_the_unit_and_gives_it_to_the_advisor(bank, referral):
    # core banking opened the account (and the import created the record) before the advisor signed
    fed = ClientFactory(org_unit=bank.north_sub, advisor=None, client_no="6222000003", acquisition_channel="")
    _contacted(referral, bank.advisor)
    transition(referral_id=referral.pk, action="sign", actor=bank.north_sub_manager, client_no="6222000003")
    fed.refresh_from_db()
    assert (fed.advisor, fed.acquisition_channel) == (bank.advisor, "hall")
    assert Referral.objects.get(pk=referral.pk).client == fed


@pytest.mark.parametrize("where", ["other_branch", "colleagues_client", "unmanaged_elsewhere"])
def test_a_client_number_outside_the_signers_scope_is_refused_without_leaking(bank, referral, api_as, where):
    owner, unit = {"other_branch": (bank.south_advisor, bank.south_sub),
                   "colleagues_client": (bank.advisor2, bank.north_sub),
                   "unmanaged_elsewhere": (None, bank.south_sub)}[where]
    theirs = ClientFactory(org_unit=unit, advisor=owner, client_no="6222000009", name="王秘密")
    _contacted(referral, bank.advisor)
    response = api_as(bank.advisor).post(f"/api/v1/referrals/{referral.pk}/sign/", {"client_no": "6222000009"},
                                         format="json")
    assert response.status_code == 400 and list(response.json()) == ["client_no"]
    assert "王" not in response.content.decode() and str(theirs.org_unit.name) not in response.content.decode()
    stored = Referral.objects.get(pk=referral.pk)
    assert (stored.status, stored.client_id) == ("contacted", None)
    theirs.refresh_from_db()
    assert theirs.advisor == owner


def test_sign_through_the_api_creates_the_client(bank, referral, api_as):
    _contacted(referral, bank.advisor)
    body = api_as(bank.advisor).post(f"/api/v1/referrals/{referral.pk}/sign/",
                                     {"note": "签署私行协议", "client_no": "6222000010"}, format="json").json()
    client = Client.objects.get(client_no="6222000010")
    assert (body["status"], body["client"], body["client_no"], body["client_source"]) == (
        "signed", client.pk, "6222000010", "created")


def test_an_over_long_client_number_is_a_400(bank, referral, api_as):
    _contacted(referral, bank.advisor)
    response = api_as(bank.advisor).post(f"/api/v1/referrals/{referral.pk}/sign/", {"client_no": "6" * 33},
                                         format="json")
    assert response.status_code == 400 and "client_no" in response.json()


def test_a_referral_routed_to_a_manager_is_reassigned_before_signing_creates_a_client(bank):
    r = submit(bank.hall, advisor=bank.north_manager, now=at(2025, 3, 3, 10))
    _contacted(r, bank.north_manager)
    with pytest.raises(ValidationError) as exc:
        transition(referral_id=r.pk, action="sign", actor=bank.north_manager, client_no="6222000011")
    assert "client_no" in exc.value.message_dict and not Client.objects.exists()


def test_an_existing_clients_referral_keeps_its_client(bank):
    client = ClientFactory(org_unit=bank.north_sub, advisor=bank.advisor)
    r = submit(bank.hall, client_no=client.client_no, prospect_name="")
    _contacted(r, bank.advisor)
    with pytest.raises(ValidationError):
        transition(referral_id=r.pk, action="sign", actor=bank.advisor, client_no="6222000012")
    assert transition(referral_id=r.pk, action="sign", actor=bank.advisor).client == client


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_signings_of_one_referral_at_once_create_the_client_exactly_once(bank, referral):
    _contacted(referral, bank.advisor)
    outcomes = run_at_once(
        lambda: transition(referral_id=referral.pk, action="sign", actor=bank.advisor, client_no="6222000020"),
        lambda: transition(referral_id=referral.pk, action="sign", actor=bank.north_sub_manager,
                           client_no="6222000020"))
    close_old_connections()
    assert sorted(type(o).__name__ for o in outcomes) == ["Referral", "TransitionNotAllowed"]
    assert [o.status for o in outcomes if isinstance(o, TransitionNotAllowed)] == ["signed"]
    assert Client.objects.filter(client_no="6222000020").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_referrals_of_one_prospect_signed_at_once_share_one_client(bank):
    # the same prospect referred twice (hall and account manager), both signed with the number at once
    first = submit(bank.hall, advisor=bank.advisor, now=at(2025, 3, 3, 10))
    second = submit(bank.account_manager, advisor=bank.advisor, now=at(2025, 3, 3, 11))
    for r in (first, second):
        _contacted(r, bank.advisor)
    outcomes = run_at_once(*[
        lambda r=r: transition(referral_id=r.pk, action="sign", actor=bank.advisor, client_no="6222000021")
        for r in (first, second)])
    close_old_connections()
    assert all(isinstance(o, Referral) for o in outcomes), outcomes
    client = Client.objects.get(client_no="6222000021")
    assert sorted(Referral.objects.filter(client=client).values_list("client_source", flat=True)) == [
        ClientSource.CREATED, ClientSource.LINKED]


def test_the_signed_client_and_the_credit_reach_the_scorecards_and_the_dashboard(bank):
    now = timezone.now()
    period = performance.Period.of(timezone.localdate(now))
    r = submit(bank.account_manager, advisor=bank.advisor, now=now - dt.timedelta(minutes=30))
    _contacted(r, bank.advisor, now=now - dt.timedelta(minutes=20))
    transition(referral_id=r.pk, action="sign", actor=bank.advisor, client_no="6222000030",
               now=now - dt.timedelta(minutes=10))
    performance.recompute_scorecards([period], now=now)
    values = {(v.advisor_id, v.kpi): v.value for v in KpiValue.objects.filter(period=period.start)}
    assert values[bank.advisor.pk, KpiCode.NEW_CLIENTS] == 1
    assert values[bank.advisor.pk, KpiCode.REFERRALS_MADE] == 1
    assert values[bank.account_manager.pk, KpiCode.REFERRALS_MADE] == 1  # 一份业绩两份计算
    refresh_channel_summary(month=period.start)  # the dashboard reads the nightly channel summary
    channels = {row["channel"]: row for row in dashboards.acquisition_channels(bank.north, period)}
    assert channels["all_staff"]["clients"] == 1 and channels["all_staff"]["referrals"] == 1


def test_a_linked_client_of_an_earlier_month_is_new_to_the_advisor_once(bank):
    now = timezone.now()
    period = performance.Period.of(timezone.localdate(now))
    fed = ClientFactory(org_unit=bank.north_sub, advisor=None, client_no="6222000031")
    Client.objects.filter(pk=fed.pk).update(created_at=now - dt.timedelta(days=400))
    r = submit(bank.hall, advisor=bank.advisor, now=now - dt.timedelta(minutes=30))
    _contacted(r, bank.advisor, now=now - dt.timedelta(minutes=20))
    transition(referral_id=r.pk, action="sign", actor=bank.advisor, client_no="6222000031",
               now=now - dt.timedelta(minutes=10))
    performance.recompute_scorecards([period], now=now)
    assert KpiValue.objects.get(advisor=bank.advisor, kpi=KpiCode.NEW_CLIENTS, period=period.start).value == 1


def test_the_detail_page_signs_with_the_client_number(bank, referral, web_as):
    from django.urls import reverse

    _contacted(referral, bank.advisor)
    web = web_as(bank.advisor)
    assert 'name="client_no"' in web.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    response = web.post(reverse("referrals:act", args=[referral.pk, "sign"]), {"client_no": "6222000040"})
    assert response.status_code == 302
    assert Referral.objects.get(pk=referral.pk).client == Client.objects.get(client_no="6222000040")
