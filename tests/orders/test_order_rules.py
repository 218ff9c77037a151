"""The rules of teams, payments, faults, refunds and payouts: bad input is refused whole."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from orders.models import (
    Allocation,
    BankAccount,
    Event,
    LedgerEntry,
    LedgerPosting,
    Order,
    Payment,
    PayoutBatch,
    TeamMember,
)
from orders.selectors import owed_on
from orders.services import deliveries, payments, payouts, teams
from orders.services.ledger import damages_held, debit_balance, payable_balances
from tests.kit.factories import (
    AcceptedOrderFactory,
    FirmBankAccountFactory,
    NetworkBankAccountFactory,
)
from tests.kit.steps import (
    THREE,
    as_user,
    given_a_paid_order,
    in_production,
    money_rows,
    pay,
    share_team,
)
from tests.kit.worlds import add_firm, kyoto_world, migakiya_world

pytestmark = pytest.mark.django_db


# --- Team ---------------------------------------------------------------------------------


def test_shares_that_do_not_add_up_are_refused_per_field_and_nothing_is_written():
    # Given an accepted order
    world = migakiya_world()
    order = AcceptedOrderFactory(world=world)
    events_before = Event.objects.count()
    # When the leader gives shares that add up to 90%
    body = {
        "members": [
            {"firm": world.firms["admin1"].pk, "work_package": "Polish 100", "share": 4000},
            {"firm": world.firms["polisher1"].pk, "work_package": "Polish 200", "share": 5000},
        ]
    }
    response = as_user(world.users["admin1"]).put(
        f"/api/orders/{order.pk}/team/", body, format="json"
    )
    # Then it is refused with a message saying what the shares must add up to
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Correct the fields marked.",
        "members": [
            "The shares add up to 9,000 basis points (90.00%); they must add up to 10,000 (100%)."
        ],
    }
    # and nothing is written
    assert not TeamMember.objects.filter(order=order).exists()
    assert Event.objects.count() == events_before


def test_fixed_amounts_must_add_up_to_what_is_left_after_the_office_fee():
    # Given an order of ¥110,000 in a network taking 5%: ¥5,500 fee, ¥104,500 to share
    world = migakiya_world()
    order = AcceptedOrderFactory(world=world, subtotal=100_000)
    leader = as_user(world.users["admin1"])
    members = [
        {"firm": world.firms["admin1"].pk, "work_package": "Inspect", "amount": 4_500},
        {"firm": world.firms["polisher1"].pk, "work_package": "Polish", "amount": 100_000},
    ]
    # When the amounts add up to ¥110,000 (forgetting the fee)
    members[1]["amount"] = 105_500
    response = leader.put(f"/api/orders/{order.pk}/team/", {"members": members}, format="json")
    # Then the message says what they must add up to, and why
    assert response.status_code == 400
    message = response.json()["members"][0]
    assert "¥110,000" in message and "¥104,500" in message and "¥5,500 (5.00%)" in message
    # When they add up to ¥104,500, the team is set
    members[1]["amount"] = 100_000
    response = leader.put(f"/api/orders/{order.pk}/team/", {"members": members}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["weights"] == "amount"
    assert response.json()["distributable"] == 104_500


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        (
            [{"key": "admin1", "share": 5000}, {"key": "polisher1", "amount": 52_250}],
            "not a mix",
        ),
        ([{"key": "admin1", "share": 5000}, {"key": "admin1", "share": 5000}], "more than once"),
        (
            [{"key": "admin1", "share": 10_000}, {"key": "outsider", "share": 0}],
            "not active member",
        ),
    ],
)
def test_inconsistent_teams_are_refused(members, expected):
    world = migakiya_world()
    order = AcceptedOrderFactory(world=world)
    outsider = kyoto_world().firms["fushimi"]
    body = {
        "members": [
            {
                "firm": (outsider if item["key"] == "outsider" else world.firms[item["key"]]).pk,
                "work_package": "Polishing",
                **{k: v for k, v in item.items() if k != "key"},
            }
            for item in members
        ]
    }
    response = as_user(world.office_user).put(f"/api/orders/{order.pk}/team/", body, format="json")
    assert response.status_code == 400
    assert expected in " ".join(response.json()["members"])
    assert not TeamMember.objects.filter(order=order).exists()


def test_only_the_leader_or_the_office_assembles_the_team_and_members_see_their_part_only():
    world = migakiya_world()
    order = AcceptedOrderFactory(world=world)
    body = {
        "members": [
            {"firm": world.firms["polisher1"].pk, "work_package": "Polish", "share": 10_000},
        ]
    }
    response = as_user(world.users["polisher1"]).put(
        f"/api/orders/{order.pk}/team/", body, format="json"
    )
    assert response.status_code == 404  # not in the team yet: it does not even see the order
    teams.team_set(
        order_id=order.pk,
        user=world.office_user,
        members=share_team(world, {"polisher1": 4000, "polisher2": 6000}),
    )
    response = as_user(world.users["polisher1"]).put(
        f"/api/orders/{order.pk}/team/", body, format="json"
    )
    assert response.status_code == 403
    # And a member sees its own part and the schedule, never the other firm's share
    team = as_user(world.users["polisher1"]).get(f"/api/orders/{order.pk}/team/").json()
    assert [part["firm"] for part in team["members"]] == [world.firms["polisher1"].pk]
    assert len(team["schedule"]) == 2
    assert team["distributable"] is None
    assert all("share" not in entry for entry in team["schedule"])


def test_changing_a_part_asks_that_firm_again_and_a_decline_needs_a_reason():
    world = migakiya_world()
    order = AcceptedOrderFactory(world=world)
    teams.team_set(
        order_id=order.pk,
        user=world.office_user,
        members=share_team(world, {"polisher1": 4000, "polisher2": 6000}),
    )
    teams.team_member_answer(order_id=order.pk, user=world.users["polisher1"], accept=True)
    polisher2 = as_user(world.users["polisher2"])
    response = polisher2.post(f"/api/orders/{order.pk}/team/confirm/", {"accept": False})
    assert response.status_code == 400
    assert "reason" in response.json()
    response = polisher2.post(
        f"/api/orders/{order.pk}/team/confirm/", {"accept": False, "reason": "Fully booked"}
    )
    assert response.status_code == 200
    assert response.json()["confirmation"] == "declined"
    # When the leader gives polisher2's work to admin2, polisher1's confirmation stands
    teams.team_set(
        order_id=order.pk,
        user=world.users["admin1"],
        members=share_team(world, {"polisher1": 4000, "admin2": 6000}),
    )
    confirmations = dict(
        TeamMember.objects.filter(order=order).values_list("firm_id", "confirmation")
    )
    assert confirmations == {
        world.firms["polisher1"].pk: "confirmed",
        world.firms["admin2"].pk: "pending",
    }
    # And once admin2 confirms, production starts and the team is fixed
    teams.team_member_answer(order_id=order.pk, user=world.users["admin2"], accept=True)
    response = as_user(world.office_user).put(
        f"/api/orders/{order.pk}/team/",
        {"members": [{"firm": world.firms["admin2"].pk, "work_package": "All", "share": 10_000}]},
        format="json",
    )
    assert response.status_code == 409


# --- Payments -----------------------------------------------------------------------------


def test_a_payment_larger_than_what_is_owed_is_refused_and_nothing_is_written():
    # Given an order of ¥110,000 in production, of which ¥100,000 is paid
    world = migakiya_world()
    order = given_a_paid_order(world, subtotal=100_000, paid=100_000)
    before = money_rows()
    # When the office records another ¥10,001
    response = as_user(world.office_user).post(
        f"/api/orders/{order.pk}/payments/",
        {"amount": 10_001, "method": "bank_transfer", "received_at": timezone.now().isoformat()},
        format="json",
    )
    # Then it is refused, saying how much is still owed, and nothing is written
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Correct the fields marked.",
        "amount": ["¥10,001 is more than the ¥10,000 still owed on this order (total ¥110,000)."],
    }
    assert money_rows() == before


def test_a_payment_waits_for_the_confirmed_team_and_members_cannot_record_one():
    world = migakiya_world()
    order = AcceptedOrderFactory(world=world)
    body = {"amount": 1_000, "method": "bank_transfer", "received_at": timezone.now().isoformat()}
    response = as_user(world.office_user).post(
        f"/api/orders/{order.pk}/payments/", body, format="json"
    )
    assert response.status_code == 409
    assert "confirmed" in response.json()["detail"]
    in_production(world, order)
    response = as_user(world.users["admin1"]).post(
        f"/api/orders/{order.pk}/payments/", body, format="json"
    )
    assert response.status_code == 403
    response = as_user(world.office_user).post(
        f"/api/orders/{order.pk}/payments/", {**body, "received_at": None}, format="json"
    )
    assert response.status_code == 400
    assert "received_at" in response.json()


def test_the_customer_pays_by_card_through_the_configured_provider(settings):
    world = migakiya_world()
    order = in_production(world, AcceptedOrderFactory(world=world, subtotal=10_000))
    customer = as_user(world.customer)
    url = f"/api/orders/{order.pk}/payments/"
    # Without a configured provider, cards are declined and nothing is written
    response = customer.post(url, {"amount": 11_000, "method": "card", "card_token": "tok_ok"})
    assert response.status_code == 400
    assert "transfer" in response.json()["detail"]
    assert not Payment.objects.exists()
    settings.PAYMENT_CARD_PROVIDER = "orders.payment_providers.FakeCardProvider"
    response = customer.post(url, {"amount": 11_000, "method": "card", "card_token": "tok_decline"})
    assert response.status_code == 400
    response = customer.post(url, {"amount": 11_000, "method": "card", "card_token": "tok_ok"})
    assert response.status_code == 201, response.json()
    assert response.json()["provider"] == "card:fake"
    # but the customer cannot claim a bank transfer arrived
    order2 = in_production(world, AcceptedOrderFactory(world=world, subtotal=10_000))
    response = customer.post(
        f"/api/orders/{order2.pk}/payments/",
        {"amount": 100, "method": "bank_transfer", "received_at": timezone.now().isoformat()},
    )
    assert response.status_code == 403


def test_instalments_are_each_split_exactly_and_never_exceed_the_total():
    world = migakiya_world()
    order = in_production(
        world,
        AcceptedOrderFactory(world=world, subtotal=99_999),
        {"admin1": 3333, "polisher1": 3333, "polisher2": 3334},
    )
    total = order.total  # 109,998
    for amount in (33_333, 33_333, total - 66_666):
        payment = pay(world, order, amount)
        parts = Allocation.objects.filter(payment=payment)
        assert sum(parts.values_list("amount", flat=True)) == amount
        assert all(part.amount >= 0 for part in parts)
    assert owed_on(order) == 0
    with pytest.raises(Exception, match="more than"):
        pay(world, order, 1)


# --- Faults and refunds -------------------------------------------------------------------


def test_a_fault_charged_to_a_firm_not_in_the_team_is_refused_and_nothing_is_written():
    world = migakiya_world()
    order = in_production(world, AcceptedOrderFactory(world=world))
    before = money_rows()
    response = as_user(world.office_user).post(
        f"/api/orders/{order.pk}/fault-claims/",
        {"firm": world.firms["turner"].pk, "amount": 5_000, "description": "Dented"},
        format="json",
    )
    assert response.status_code == 400
    assert "not in this order's team" in response.json()["firm"][0]
    assert money_rows() == before
    # and only the office charges faults
    response = as_user(world.users["admin1"]).post(
        f"/api/orders/{order.pk}/fault-claims/",
        {"firm": world.firms["polisher1"].pk, "amount": 5_000, "description": "Dented"},
        format="json",
    )
    assert response.status_code == 403
    assert money_rows() == before


def test_a_refund_beyond_what_was_paid_is_refused_and_nothing_is_written():
    world = migakiya_world()
    order = given_a_paid_order(world, subtotal=100_000, paid=50_000)
    payments.refund_issue(
        order_id=order.pk, user=world.office_user, amount=20_000, reason="Partial cancellation"
    )
    before = money_rows()
    response = as_user(world.office_user).post(
        f"/api/orders/{order.pk}/refunds/",
        {"amount": 30_001, "reason": "Cancelled"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Correct the fields marked.",
        "amount": [
            "Only ¥30,000 has been paid on this order (after earlier refunds); "
            "a refund of ¥30,001 is more than that."
        ],
    }
    assert money_rows() == before
    response = as_user(world.office_user).post(
        f"/api/orders/{order.pk}/refunds/",
        {"amount": 1, "reason": "Damages", "source": "damages"},
        format="json",
    )
    assert response.status_code == 400
    assert money_rows() == before


def test_a_refund_reverses_every_party_in_proportion_with_the_same_rounding():
    # Given ¥110,000 paid and split 20/30/50 after a 5% fee
    world = migakiya_world()
    order = given_a_paid_order(world, subtotal=100_000, paid=110_000)
    # When ¥11,001 is refunded
    refund = payments.refund_issue(
        order_id=order.pk, user=world.office_user, amount=11_001, reason="Price reduction"
    )
    # Then every party gives back its proportional part, summing exactly to the refund
    back = {
        (row.party, row.firm_id): -row.amount for row in Allocation.objects.filter(refund=refund)
    }
    assert sum(back.values()) == 11_001
    assert back[("office_fee", None)] == 550
    assert back[("member", world.firms["polisher2"].pk)] == 5_226
    # and nobody holds less than nothing; the ledger still balances
    held = Allocation.objects.filter(order=order).values("firm_id")
    assert all(
        sum(held.filter(firm_id=row["firm_id"]).values_list("amount", flat=True)) >= 0
        for row in held
    )
    assert debit_balance(LedgerEntry.objects.all()) == 0


def test_damages_larger_than_the_payable_become_a_debt_that_the_payout_keeps(clock):
    # Given an order of ¥110,000 split 20/30/50 after a 5% fee, ¥100,000 of it paid and
    # paid out, with bank accounts for everyone
    world = migakiya_world()
    order = given_a_paid_order(world, subtotal=100_000, paid=100_000)
    for key in THREE:
        FirmBankAccountFactory(firm=world.firms[key])
    NetworkBankAccountFactory(network=world.network)

    def payout() -> dict[int, int]:
        batch = payouts.payout_batch_create(
            network_id=world.network.pk, user=world.office_user, transfer_date=timezone.localdate()
        )
        batch = payouts.payout_batch_close(batch_id=batch.pk, user=world.office_user)
        return dict(batch.lines.values_list("firm_id", "amount"))

    assert payout()[world.firms["polisher1"].pk] == 28_500
    # When damages of ¥31,000 (within polisher1's ¥31,350 part of the order) are charged
    payments.fault_claim_record(
        order_id=order.pk,
        user=world.office_user,
        firm_id=world.firms["polisher1"].pk,
        amount=31_000,
        description="Whole lot scratched",
    )
    # And the customer sets ¥10,000 of them off against what it still owes
    payments.payment_record(
        order_id=order.pk, user=world.office_user, amount=10_000, method="damages_setoff"
    )
    # Then the order is paid, and ¥21,000 of damages is still held for the customer
    assert owed_on(order) == 0
    assert damages_held(order) == 21_000
    # and polisher1's balance is a debt, while nobody else's was touched by the fault
    balances = payable_balances(world.network)
    assert balances[world.firms["polisher1"].pk] == 2_850 - 31_000
    assert balances[world.firms["polisher2"].pk] == 4_750
    # When the office pays out, polisher1 gets nothing and keeps its debt
    paid = payout()
    assert paid == {world.firms["admin1"].pk: 1_900, world.firms["polisher2"].pk: 4_750}
    assert payable_balances(world.network)[world.firms["polisher1"].pk] == -28_150
    statement = as_user(world.users["polisher1"]).get("/api/statements/").json()["results"][0]
    assert statement["balance"] == -28_150 and statement["paid_out"] == 28_500
    assert statement["deductions"] == 31_000
    assert debit_balance(LedgerEntry.objects.all()) == 0


def test_a_payout_needs_the_network_account_and_skips_firms_without_one(clock):
    world = migakiya_world()
    given_a_paid_order(world, subtotal=100_000, paid=110_000)
    FirmBankAccountFactory(firm=world.firms["polisher2"])
    office = as_user(world.office_user)
    today = timezone.localdate().isoformat()
    response = office.post(
        "/api/payout-batches/", {"network": world.network.slug, "transfer_date": today}
    )
    assert response.status_code == 201, response.json()
    batch = response.json()
    assert [line["firm"] for line in batch["lines"]] == [world.firms["polisher2"].pk]
    assert {item["firm"] for item in batch["skipped"]} == {
        world.firms["admin1"].pk,
        world.firms["polisher1"].pk,
    }
    response = office.get(f"/api/payout-batches/{batch['id']}/zengin/")
    assert response.status_code == 409  # only a closed batch has a transfer file
    response = office.post(f"/api/payout-batches/{batch['id']}/close/")
    assert response.status_code == 409
    assert "requester code" in response.json()["detail"]
    assert not LedgerPosting.objects.filter(kind="payout").exists()
    # A second draft is refused while the first is open; members see no batches at all
    response = office.post(
        "/api/payout-batches/", {"network": world.network.slug, "transfer_date": today}
    )
    assert response.status_code == 409
    assert as_user(world.users["polisher2"]).get("/api/payout-batches/").json()["count"] == 0
    assert office.delete(f"/api/payout-batches/{batch['id']}/").status_code == 204
    assert not PayoutBatch.objects.exists()


def test_bank_account_names_must_be_writable_in_the_banks_alphabet():
    world = migakiya_world()
    response = as_user(world.users["polisher1"]).put(
        f"/api/bank-accounts/firms/{world.firms['polisher1'].pk}/",
        {
            "bank_code": "0001",
            "branch_code": "001",
            "account_number": "1234567",
            "holder_kana": "株式会社研磨",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "katakana" in response.json()["holder_kana"][0]
    assert not BankAccount.objects.exists()
    # and another firm's account is not even visible
    response = as_user(world.users["polisher2"]).get(
        f"/api/bank-accounts/firms/{world.firms['polisher1'].pk}/"
    )
    assert response.status_code == 404


# --- Visibility ---------------------------------------------------------------------------


def test_a_member_cannot_see_another_members_statement():
    world = migakiya_world()
    order = given_a_paid_order(world, paid=50_000)
    polisher1 = as_user(world.users["polisher1"])
    own = polisher1.get("/api/statements/").json()
    assert {row["firm"] for row in own["results"]} == {world.firms["polisher1"].pk}
    other = polisher1.get(f"/api/statements/?firm={world.firms['polisher2'].pk}").json()
    assert other["count"] == 0
    # nor the customer, nor a firm of another network
    assert as_user(world.customer).get("/api/statements/").json()["count"] == 0
    stranger = kyoto_world().users["fushimi"]
    assert as_user(stranger).get(f"/api/orders/{order.pk}/").status_code == 404


def test_the_customer_sees_its_own_orders_only():
    world = migakiya_world()
    order = AcceptedOrderFactory(world=world)
    other_customer = kyoto_world().customer
    assert as_user(other_customer).get(f"/api/orders/{order.pk}/").status_code == 404
    listed = as_user(world.customer).get("/api/orders/").json()
    assert [row["id"] for row in listed["results"]] == [order.pk]
    assert listed["results"][0]["total"] == order.total


@pytest.mark.parametrize(
    "path",
    [
        "/api/orders/",
        "/api/statements/",
        "/api/payout-batches/",
        "/api/orders/{order}/events/",
        "/api/orders/{order}/allocations/",
        "/api/orders/{order}/deliveries/",
        "/api/orders/{order}/payments/",
    ],
)
def test_lists_take_a_constant_number_of_queries_whatever_their_size(clock, path):
    world = migakiya_world()
    office = as_user(world.office_user)

    def grow(size: int) -> Order:
        """Make every list `size` long: orders, firms, batches, and one order's records."""
        for index in range(size):
            add_firm(world, f"extra{size}_{index}", "member", {})
            batch = PayoutBatch.objects.create(
                network=world.network,
                status=PayoutBatch.Status.CLOSED,
                transfer_date=timezone.localdate(),
                created_by=world.office_user,
                closed_at=timezone.now(),
            )
            FirmBankAccountFactory(firm=world.firms[f"extra{size}_{index}"])
            batch.lines.create(
                firm=world.firms[f"extra{size}_{index}"],
                amount=1,
                **{
                    field: "1" * length
                    for field, length in (
                        ("bank_code", 4),
                        ("branch_code", 3),
                        ("account_type", 1),
                        ("account_number", 7),
                    )
                },
            )
        orders = [
            in_production(world, AcceptedOrderFactory(world=world, subtotal=100_000))
            for _ in range(size)
        ]
        order = orders[-1]
        for _ in range(size):
            pay(world, order, 1_000)
            deliveries.delivery_record(
                order_id=order.pk, user=world.office_user, description="A partial delivery"
            )
        return order

    def count(order: Order) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = office.get(path.format(order=order.pk))
        assert response.status_code == 200, response.json()
        assert response.json()["count"] >= 1
        return len(queries)

    assert count(grow(1)) == count(grow(4))
