"""A firm's bank account: written by its own people, read by the office of a network where it
is an active member, checked against the Zengin bank code data, and held after a change.
"""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from members.models import Notification
from orders.models import AppendOnlyError, BankAccount, BankAccountChange
from orders.services import payouts
from tests.kit.factories import (
    FirmBankAccountFactory,
    FirmUserFactory,
    NetworkBankAccountFactory,
)
from tests.kit.steps import THREE, as_user, given_a_paid_order
from tests.kit.worlds import migakiya_world

pytestmark = pytest.mark.django_db


def account(**extra) -> dict:
    return {
        "bank_code": "0005",
        "branch_code": "321",
        "account_type": "1",
        "account_number": "1234567",
        "holder_kana": "ｶ)ｹﾝﾏ",
        **extra,
    }


def put(user, firm, body):
    return as_user(user).put(f"/api/bank-accounts/firms/{firm.pk}/", body, format="json")


@pytest.fixture
def world():
    return migakiya_world()


# --- Who writes and who reads ------------------------------------------------------------


def test_only_the_firms_own_people_write_its_account(world):
    firm = world.firms["polisher1"]
    FirmBankAccountFactory(firm=firm, account_number="1111111")
    # The office of a network where the firm is an active member reads it for payouts
    office = as_user(world.office_user)
    assert office.get(f"/api/bank-accounts/firms/{firm.pk}/").status_code == 200
    # but cannot change it
    answer = put(world.office_user, firm, account(account_number="9999999"))
    assert answer.status_code == 403
    assert BankAccount.objects.get(firm=firm).account_number == "1111111"
    # while one of the firm's people can
    assert put(world.users["polisher1"], firm, account()).status_code == 200
    assert BankAccount.objects.get(firm=firm).account_number == "1234567"
    # and another member firm cannot even see it exists
    other = world.users["polisher2"]
    assert as_user(other).get(f"/api/bank-accounts/firms/{firm.pk}/").status_code == 404
    assert put(other, firm, account()).status_code == 404


# --- Bank and branch codes from the Zengin data, the holder's name in half-width kana ----


def test_unknown_bank_and_branch_codes_are_refused(world):
    person, firm = world.users["polisher1"], world.firms["polisher1"]
    unknown_bank = put(person, firm, account(bank_code="0002"))
    assert unknown_bank.status_code == 400
    assert "0002" in unknown_bank.json()["bank_code"][0]
    unknown_branch = put(person, firm, account(bank_code="0001", branch_code="002"))
    assert unknown_branch.status_code == 400
    assert "002" in unknown_branch.json()["branch_code"][0]
    assert not BankAccount.objects.filter(firm=firm).exists()


def test_good_codes_are_kept_with_the_banks_own_names(world):
    person, firm = world.users["polisher1"], world.firms["polisher1"]
    answer = put(person, firm, account(bank_code="9900", branch_code="019"))
    assert answer.status_code == 200, answer.json()
    stored = BankAccount.objects.get(firm=firm)
    assert (stored.bank_code, stored.branch_code) == ("9900", "019")
    assert stored.bank_name_kana == "ﾕｳﾁﾖ"
    assert stored.branch_name_kana == "ｾﾞﾛｲﾁｷﾕｳ"


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("カブシキガイシャ　ケンマ", "ｶﾌﾞｼｷｶﾞｲｼﾔ ｹﾝﾏ"),  # full-width katakana
        ("かぶしきがいしゃ　けんま", "ｶﾌﾞｼｷｶﾞｲｼﾔ ｹﾝﾏ"),  # hiragana
        ("ｶ)ｹﾝﾏ", "ｶ)ｹﾝﾏ"),  # already half-width
        ("サトー", "ｻﾄ-"),  # the long vowel mark is a hyphen in bank names
    ],
)
def test_the_holders_name_is_kept_in_half_width_kana(world, typed, kept):
    person, firm = world.users["polisher1"], world.firms["polisher1"]
    answer = put(person, firm, account(holder_kana=typed))
    assert answer.status_code == 200, answer.json()
    assert BankAccount.objects.get(firm=firm).holder_kana == kept


@pytest.mark.parametrize("typed", ["株式会社研磨", "Café"])
def test_a_holders_name_that_cannot_be_converted_is_refused(world, typed):
    person, firm = world.users["polisher1"], world.firms["polisher1"]
    answer = put(person, firm, account(holder_kana=typed))
    assert answer.status_code == 400
    assert "katakana" in answer.json()["holder_kana"][0]
    assert not BankAccount.objects.filter(firm=firm).exists()


# --- A change tells every person of the firm and holds its payouts ------------------------


def test_a_change_notifies_every_person_of_the_firm_in_their_language(world):
    firm = world.firms["polisher1"]
    FirmBankAccountFactory(firm=firm, account_number="1111111")
    japanese = FirmUserFactory(firm=firm, language="ja")
    english = FirmUserFactory(firm=firm, language="en")
    departed = FirmUserFactory(firm=firm, is_active=False)
    # When one of the firm's people changes the account
    assert put(world.users["polisher1"], firm, account(account_number="7654321")).status_code == 200
    # Then every active person of the firm is told, in their language, with a masked number
    told = Notification.objects.filter(kind="bank_account.changed", channel="in_app")
    assert {n.recipient_id for n in told} == {world.users["polisher1"].pk, japanese.pk, english.pk}
    assert departed.pk not in {n.recipient_id for n in told}
    by_person = {n.recipient_id: n for n in told}
    assert by_person[english.pk].title == f"The bank account of {firm.name_en} was changed"
    assert by_person[japanese.pk].title != by_person[english.pk].title
    for notice in told:
        assert "7654321" not in notice.title + notice.body
        assert "321" in notice.body
    # and the change is recorded, masked, with who made it
    change = BankAccountChange.objects.get(firm=firm)
    assert change.changed_by == world.users["polisher1"]
    assert change.before["account_number"] == "****111"
    assert change.after["account_number"] == "****321"


def test_a_changed_account_holds_payouts_for_the_cooling_period(clock, world, settings):
    settings.BANK_ACCOUNT_CHANGE_HOLD_HOURS = 48
    given_a_paid_order(world, subtotal=100_000, paid=110_000)
    for key in THREE:
        FirmBankAccountFactory(firm=world.firms[key])
    NetworkBankAccountFactory(network=world.network)
    polisher = world.firms["polisher1"]
    # When polisher1's account is changed
    assert put(world.users["polisher1"], polisher, account()).status_code == 200
    changed_at = clock.now
    # Then a batch made within the cooling period leaves its amount out, saying why
    clock.advance(hours=47)
    batch = payouts.payout_batch_create(
        network_id=world.network.pk, user=world.office_user, transfer_date=timezone.localdate()
    )
    batch = payouts.payout_batch_close(batch_id=batch.pk, user=world.office_user)
    paid = dict(batch.lines.values_list("firm_id", "amount"))
    assert polisher.pk not in paid and len(paid) == 2
    (held,) = batch.skipped
    assert held["firm"] == polisher.pk and held["reason"] == "held"
    assert held["changed_at"] == changed_at.isoformat()
    assert held["held_until"] == (changed_at + datetime.timedelta(hours=48)).isoformat()
    page = as_user(world.office_user).get(f"/api/payout-batches/{batch.pk}/").json()
    assert page["skipped"][0]["reason"] == "held"
    from django.test import Client

    browser = Client()
    browser.force_login(world.office_user)
    shown = browser.get(f"/office/payouts/{batch.pk}/").content.decode()
    assert "held: bank account changed at" in shown
    # and when the period is over, the amount still owed goes in the next batch
    clock.advance(hours=2)
    later = payouts.payout_batch_create(
        network_id=world.network.pk, user=world.office_user, transfer_date=timezone.localdate()
    )
    later = payouts.payout_batch_close(batch_id=later.pk, user=world.office_user)
    assert dict(later.lines.values_list("firm_id", "amount")) == {polisher.pk: 28_500 + 2_850}
    assert later.skipped == []
    line = later.lines.get()
    assert line.account_number == "1234567"


def test_a_first_registration_is_told_but_holds_nothing(world):
    firm = world.firms["polisher1"]
    assert put(world.users["polisher1"], firm, account()).status_code == 200
    change = BankAccountChange.objects.get(firm=firm)
    assert change.held_until is None
    assert Notification.objects.filter(
        kind="bank_account.registered", recipient=world.users["polisher1"]
    ).exists()


def test_the_history_of_changes_cannot_be_rewritten(world):
    firm = world.firms["polisher1"]
    FirmBankAccountFactory(firm=firm, account_number="1111111")
    put(world.users["polisher1"], firm, account())
    change = BankAccountChange.objects.get(firm=firm)
    with pytest.raises(AppendOnlyError):
        BankAccountChange.objects.filter(pk=change.pk).update(held_until=None)
    # nor by SQL, whoever connects
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE brokerage_bankaccountchange SET held_until = NULL WHERE id = %s", [change.pk]
        )


def test_a_change_of_the_networks_account_is_told_to_every_person_of_its_office(world):
    # Given a second person at the network's office, and the account customers pay into
    colleague = FirmUserFactory(firm=world.office_user.firm, language="en")
    NetworkBankAccountFactory(network=world.network, account_number="1111111")
    # When one of the office's people changes it
    response = as_user(world.office_user).put(
        f"/api/bank-accounts/networks/{world.network.slug}/",
        account(account_number="7654321", requester_code="1234567890"),
        format="json",
    )
    assert response.status_code == 200, response.content
    # Then every person of the office is told, urgently and with a masked number, since
    # invoices name this account to the network's customers from now on
    told = Notification.objects.filter(kind="bank_account.network_changed", channel="in_app")
    assert {n.recipient_id for n in told} == {world.office_user.pk, colleague.pk}
    english = told.get(recipient=colleague)
    assert english.title == f"The account customers pay {world.network.name_en} into was set"
    assert "7654321" not in english.title + english.body
    assert "account ending 321" in english.body
    # and no member firm hears of it
    assert (
        not told.filter(recipient__firm__isnull=False)
        .exclude(recipient__firm=world.office_user.firm)
        .exists()
    )
