"""The ledger in the database: append-only, balanced, and consistent with the records."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from members.models import Membership
from orders.models import Allocation, AppendOnlyError, LedgerEntry, LedgerPosting, Payment, Refund
from orders.selectors import owed_on, statements_for
from orders.services import payments, payouts
from orders.services.ledger import SIGNED_AMOUNT, debit_balance, payable_balances
from tests.kit.factories import (
    AcceptedOrderFactory,
    FirmBankAccountFactory,
    NetworkBankAccountFactory,
)
from tests.kit.steps import THREE, given_a_paid_order, in_production, pay
from tests.kit.worlds import migakiya_world

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the triggers exist on PostgreSQL only"
)


@pytest.fixture
def paid_order():
    world = migakiya_world()
    order = given_a_paid_order(world, subtotal=100_000, paid=110_000)
    return world, order


def unbalanced_postings() -> list[int]:
    return list(
        LedgerEntry.objects.values("posting_id")
        .annotate(balance=Sum(SIGNED_AMOUNT))
        .exclude(balance=0)
        .values_list("posting_id", flat=True)
    )


@on_postgresql
@pytest.mark.parametrize(
    ("table", "statement"),
    [
        ("brokerage_ledgerentry", "UPDATE brokerage_ledgerentry SET amount = amount + 1"),
        ("brokerage_ledgerentry", "DELETE FROM brokerage_ledgerentry"),
        ("brokerage_ledgerposting", "UPDATE brokerage_ledgerposting SET memo = 'edited'"),
        ("brokerage_ledgerposting", "DELETE FROM brokerage_ledgerposting"),
        ("brokerage_allocation", "UPDATE brokerage_allocation SET amount = 0"),
        ("brokerage_payment", "DELETE FROM brokerage_payment"),
    ],
)
def test_the_database_refuses_to_change_or_delete_ledger_rows(paid_order, table, statement):
    # Given a paid order's postings
    before = list(LedgerEntry.objects.order_by("id").values_list("id", "amount"))
    assert before
    # When anybody changes or deletes them in SQL, bypassing the models
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    # Then the database refused, and they are as they were
    assert list(LedgerEntry.objects.order_by("id").values_list("id", "amount")) == before


@on_postgresql
def test_the_database_refuses_a_posting_that_does_not_balance_at_commit(paid_order):
    world, order = paid_order
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        posting = LedgerPosting.objects.create(
            network=world.network, order=order, kind="payment", reference="forged"
        )
        LedgerEntry.objects.create(
            posting=posting,
            account="network_clearing",
            side="D",
            amount=1_000,
            network=world.network,
        )
        with connection.cursor() as cursor:
            # Deferred to commit; the test's transaction never commits, so check now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert not LedgerPosting.objects.filter(reference="forged").exists()


def test_the_models_refuse_to_change_or_delete_ledger_rows(paid_order):
    entry = LedgerEntry.objects.first()
    entry.amount += 1
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=1)
    with pytest.raises(AppendOnlyError):
        Allocation.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        Payment.objects.first().delete()


def test_every_posting_of_a_paid_order_balances(paid_order):
    _, order = paid_order
    assert unbalanced_postings() == []
    kinds = set(LedgerPosting.objects.filter(order=order).values_list("kind", flat=True))
    assert kinds == {"invoice", "payment", "allocation"}
    assert (
        debit_balance(LedgerEntry.objects.filter(order=order, account="customer_receivable")) == 0
    )


steps = st.lists(
    st.one_of(
        st.tuples(st.just("pay"), st.integers(1, 200_000)),
        st.tuples(st.just("refund"), st.fractions(0, 1)),
        st.tuples(st.just("fault"), st.sampled_from(THREE), st.integers(1, 50_000)),
        st.tuples(
            st.just("payout"),
        ),
    ),
    min_size=1,
    max_size=6,
)


@settings(
    deadline=None,
    max_examples=5,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    subtotal=st.integers(1, 1_000_000),
    fee_bps=st.integers(0, 10_000),
    cut=st.tuples(st.integers(0, 10_000), st.integers(0, 10_000)).map(sorted),
    steps=steps,
)
def test_any_payments_refunds_faults_and_payouts_keep_the_stored_ledger_balanced(
    subtotal, fee_bps, cut, steps
):
    # Each example runs in its own savepoint, rolled back at the end.
    with transaction.atomic():
        world = migakiya_world()
        world.network.office_fee_bps = fee_bps
        world.network.save(update_fields=["office_fee_bps"])
        shares = dict(zip(THREE, (cut[0], cut[1] - cut[0], 10_000 - cut[1]), strict=True))
        order = in_production(world, AcceptedOrderFactory(world=world, subtotal=subtotal), shares)
        for key in THREE:
            FirmBankAccountFactory(firm=world.firms[key])
        NetworkBankAccountFactory(network=world.network)
        for step in steps:
            run(world, order, step)
            # Then after every step: every posting balances, each payment's and refund's
            # parts sum exactly to it, and nobody holds a negative part of the order
            assert unbalanced_postings() == []
            for payment in Payment.objects.filter(order=order):
                assert sum(payment.allocations.values_list("amount", flat=True)) == payment.amount
            for refund in Refund.objects.filter(order=order):
                assert sum(refund.allocations.values_list("amount", flat=True)) == -refund.amount
            held = Allocation.objects.filter(order=order).values("party", "firm_id")
            assert all(row["net"] >= 0 for row in held.annotate(net=Sum("amount")))
        # And the statements agree with the ledger
        memberships = list(
            Membership.objects.filter(network=world.network, firm__in=world.firms.values())
        )
        balances = payable_balances(world.network)
        for statement in statements_for(memberships):
            expected = statement["earned"] - statement["deductions"] - statement["paid_out"]
            assert statement["balance"] == expected == balances.get(statement["firm"], 0)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the database agrees
        transaction.set_rollback(True)


def run(world, order, step) -> None:
    office = world.office_user
    kind = step[0]
    if kind == "pay":
        amount = min(step[1], owed_on(order))
        if amount > 0:
            pay(world, order, amount)
    elif kind == "refund":
        held = sum(Allocation.objects.filter(order=order).values_list("amount", flat=True))
        amount = int(held * step[1])
        if amount > 0:
            payments.refund_issue(order_id=order.pk, user=office, amount=amount, reason="Refund")
    elif kind == "fault":
        firm_id = world.firms[step[1]].pk
        # A claim is at most what the firm is owed on the order (its part, less refunds
        # and earlier claims).
        amount = min(step[2], payments.fault_claim_limit(order, firm_id))
        if amount > 0:
            payments.fault_claim_record(
                order_id=order.pk, user=office, firm_id=firm_id, amount=amount, description="Fault"
            )
    elif any(balance > 0 for balance in payable_balances(world.network).values()):
        batch = payouts.payout_batch_create(
            network_id=world.network.pk, user=office, transfer_date=timezone.localdate()
        )
        payouts.payout_batch_close(batch_id=batch.pk, user=office)
