"""Refusals of an order's team, money and bank accounts reach the client in the one error
shape: a 400 that marks the field the refusal is about, with the service's own message."""

import datetime

import pytest
from django.utils import timezone

from orders.models import TeamMember
from orders.services import teams
from tests.kit.factories import AcceptedOrderFactory
from tests.kit.steps import as_user, given_a_paid_order, in_production, money_rows, share_team
from tests.kit.worlds import migakiya_world

pytestmark = pytest.mark.django_db


def refusal_of(response, field: str) -> str:
    """Return the one message a refusal gave about `field`, checking the whole answer."""
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["detail"] == "Correct the fields marked."
    assert list(body) == ["detail", field]
    [message] = body[field]
    return message


# --- Team ---------------------------------------------------------------------------------


def test_a_part_declined_without_a_reason_is_refused_on_the_reason():
    world = migakiya_world()
    order = AcceptedOrderFactory(world=world)
    teams.team_set(
        order_id=order.pk,
        user=world.office_user,
        members=share_team(world, {"admin1": 5000, "polisher1": 5000}),
    )
    response = as_user(world.users["polisher1"]).post(
        f"/api/orders/{order.pk}/team/confirm/", {"accept": False, "reason": " "}, format="json"
    )
    assert refusal_of(response, "reason") == (
        "Tell the leader why, so that the part can go to another firm."
    )
    part = TeamMember.objects.get(order=order, firm=world.firms["polisher1"])
    assert part.confirmation == TeamMember.Confirmation.PENDING


def test_a_team_with_several_problems_is_told_all_of_them_at_once():
    # Given a team that names one firm twice and whose shares do not add up to the whole
    world = migakiya_world()
    order = AcceptedOrderFactory(world=world)
    polisher = world.firms["polisher1"].pk
    body = {
        "members": [
            {"firm": polisher, "work_package": "Polish", "share": 5000},
            {"firm": polisher, "work_package": "Buff", "share": 4000},
        ]
    }
    # When the office sets it
    response = as_user(world.office_user).put(f"/api/orders/{order.pk}/team/", body, format="json")
    # Then both problems are told in one answer, each a message on the members, and no
    # part is saved
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["detail"] == "Correct the fields marked."
    duplicate, shares = body["members"]
    assert f"Firm(s) {polisher} appear more than once" in duplicate
    assert "The shares add up to 9,000 basis points" in shares
    assert not TeamMember.objects.filter(order=order).exists()


def day(offset: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=offset)).isoformat()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (lambda: {}, "state", "Give a new state or new planned dates."),
        (
            lambda: {"planned_start": day(10), "planned_finish": day(1)},
            "planned_finish",
            "The finish is before the start.",
        ),
        (
            lambda: {"state": "done", "on": day(-1)},
            "on",
            "The work cannot finish before it started",
        ),
    ],
)
def test_a_work_package_update_that_makes_no_sense_is_refused_on_its_field(change, field, message):
    # Given a work package that started today
    world = migakiya_world()
    order = in_production(world, AcceptedOrderFactory(world=world))
    part = TeamMember.objects.get(order=order, firm=world.firms["polisher1"])
    firm = as_user(world.users["polisher1"])
    url = f"/api/orders/{order.pk}/work-packages/{part.pk}/"
    started = firm.post(url, {"state": "in_progress", "on": day(0)}, format="json")
    assert started.status_code == 200, started.content
    # When its firm changes nothing, plans backwards, or finishes it before it started
    response = firm.post(url, change(), format="json")
    # Then the field is marked, and the package is as it was
    assert refusal_of(response, field).startswith(message)
    part.refresh_from_db()
    assert part.state == TeamMember.State.IN_PROGRESS


# --- Money --------------------------------------------------------------------------------


def test_damages_set_off_or_refunded_beyond_what_is_held_are_refused_on_the_amount():
    world = migakiya_world()
    order = given_a_paid_order(world, subtotal=100_000, paid=50_000)
    office = as_user(world.office_user)
    before = money_rows()
    set_off = office.post(
        f"/api/orders/{order.pk}/payments/",
        {"amount": 1_000, "method": "damages_setoff"},
        format="json",
    )
    refunded = office.post(
        f"/api/orders/{order.pk}/refunds/",
        {"amount": 1_000, "reason": "Scratched", "source": "damages"},
        format="json",
    )
    for response in (set_off, refunded):
        assert refusal_of(response, "amount") == (
            "Only ¥0 of fault damages is held for this customer."
        )
    assert money_rows() == before


def test_a_payout_batch_for_a_day_gone_by_is_refused_on_the_transfer_date():
    world = migakiya_world()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = as_user(world.office_user).post(
        "/api/payout-batches/",
        {"network": world.network.slug, "transfer_date": yesterday.isoformat()},
        format="json",
    )
    assert refusal_of(response, "transfer_date") == "The transfer date is today or later."


# --- Bank accounts ------------------------------------------------------------------------


ACCOUNT = {
    "bank_code": "0005",
    "branch_code": "321",
    "account_type": "1",
    "account_number": "1234567",
    "holder_kana": "ｶ)ｹﾝﾏ",
}


def test_the_networks_account_without_its_requester_code_is_refused_on_that_field():
    world = migakiya_world()
    response = as_user(world.office_user).put(
        f"/api/bank-accounts/networks/{world.network.slug}/", ACCOUNT, format="json"
    )
    assert refusal_of(response, "requester_code") == (
        "The bank's requester code (委託者コード) is needed."
    )


def test_an_account_with_an_unknown_bank_and_a_kanji_holder_is_refused_on_both_at_once():
    # Given an unknown bank code and a holder's name in kanji
    world = migakiya_world()
    firm = world.firms["polisher1"]
    wrong = {**ACCOUNT, "bank_code": "0002", "holder_kana": "研磨"}
    # When the firm's person sets the account
    response = as_user(world.users["polisher1"]).put(
        f"/api/bank-accounts/firms/{firm.pk}/", wrong, format="json"
    )
    # Then both fields are marked in one answer, each with its own message
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["detail"] == "Correct the fields marked."
    assert set(body) == {"detail", "bank_code", "holder_kana"}
    assert "0002" in " ".join(body["bank_code"])
    assert "katakana" in " ".join(body["holder_kana"])
