"""Properties of the split and of the postings, for any amounts: pure, no database."""

from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orders.money import BASIS_POINTS, split_fee, split_largest_remainder
from orders.services.allocation import allocate_payment, reverse_allocations
from orders.services.ledger import (
    Account,
    Line,
    UnbalancedPosting,
    check_balanced,
    credit,
    debit,
    ledger_lines_allocation,
    ledger_lines_damages_refund,
    ledger_lines_fault,
    ledger_lines_invoice,
    ledger_lines_payment,
    ledger_lines_payout,
    ledger_lines_reversal,
)

ORDER = 1
amounts = st.integers(min_value=0, max_value=10**12)
fees = st.integers(min_value=0, max_value=BASIS_POINTS)


@st.composite
def shares(draw, max_members: int = 8) -> list[tuple[int, int]]:
    """Draw a team's shares in basis points that sum to 10,000 (some may be zero)."""
    count = draw(st.integers(min_value=1, max_value=max_members))
    cuts = sorted(
        draw(st.lists(st.integers(0, BASIS_POINTS), min_size=count - 1, max_size=count - 1))
    )
    bounds = [0, *cuts, BASIS_POINTS]
    return [(100 + index, bounds[index + 1] - bounds[index]) for index in range(count)]


@st.composite
def weights(draw) -> list[tuple[int, int]]:
    """Draw shares, or fixed amounts of any size (at least one positive)."""
    if draw(st.booleans()):
        return draw(shares())
    values = draw(st.lists(st.integers(0, 10**9), min_size=1, max_size=8))
    if not any(values):
        values[0] = 1
    return [(100 + index, value) for index, value in enumerate(values)]


@settings(deadline=None, max_examples=50)
@given(total=amounts, fee_bps=fees)
def test_the_fee_and_the_rest_sum_to_the_total_and_the_fee_is_the_rate_rounded(total, fee_bps):
    fee, rest = split_fee(total, fee_bps)
    assert fee + rest == total
    assert fee >= 0 and rest >= 0
    # within half a yen of the exact fee, a tie going to the members
    assert abs(2 * fee * BASIS_POINTS - 2 * total * fee_bps) <= BASIS_POINTS
    if (total * fee_bps) % BASIS_POINTS * 2 == BASIS_POINTS:
        assert fee * BASIS_POINTS < total * fee_bps


@settings(deadline=None, max_examples=50)
@given(amount=amounts, fee_bps=fees, team=weights())
def test_a_payment_is_split_exactly_and_nobody_gets_a_negative_part(amount, fee_bps, team):
    plan = allocate_payment(amount=amount, fee_bps=fee_bps, weights=team)
    # Given any payment, fee and team, the parts sum exactly to the payment
    assert sum(plan.parts()) == amount
    assert plan.fee == split_fee(amount, fee_bps)[0]
    # and nobody gets a negative part
    assert all(part >= 0 for part in plan.parts())
    assert all(member.fee >= 0 and member.gross >= member.net for member in plan.members)
    # and the fee attributed to the members is exactly the fee
    assert sum(member.fee for member in plan.members) == plan.fee
    # and each member is within a yen of its exact share of what is left
    rest = amount - plan.fee
    total_weight = sum(weight for _, weight in team)
    for member, (_, weight) in zip(plan.members, team, strict=True):
        assert abs(member.net * total_weight - rest * weight) < total_weight


@settings(deadline=None, max_examples=50)
@given(fee_bps=fees, team=weights())
def test_fixed_amounts_paid_at_once_are_received_exactly(fee_bps, team):
    # Given a team of fixed amounts that sum to what is left of a total after the fee
    distributable = sum(weight for _, weight in team)
    if fee_bps == BASIS_POINTS:  # a 100% fee leaves nothing to distribute
        return
    near = distributable * BASIS_POINTS // (BASIS_POINTS - fee_bps)
    totals = [
        t for t in range(max(0, near - 2), near + 3) if split_fee(t, fee_bps)[1] == distributable
    ]
    if not totals:  # no total leaves exactly this much after the fee's rounding
        return
    plan = allocate_payment(amount=totals[0], fee_bps=fee_bps, weights=team)
    # Then each member receives exactly its amount
    assert [member.net for member in plan.members] == [weight for _, weight in team]


@settings(deadline=None, max_examples=50)
@given(
    payments=st.lists(st.integers(1, 10**9), min_size=1, max_size=4),
    refund_fractions=st.lists(st.fractions(0, 1), min_size=1, max_size=4),
    fee_bps=fees,
    team=shares(),
)
def test_refunds_reverse_in_proportion_and_never_take_back_more_than_was_received(
    payments, refund_fractions, fee_bps, team
):
    fee_held, nets, member_fees = 0, defaultdict(int), defaultdict(int)
    for amount in payments:
        plan = allocate_payment(amount=amount, fee_bps=fee_bps, weights=team)
        fee_held += plan.fee
        for member in plan.members:
            nets[member.firm_id] += member.net
            member_fees[member.firm_id] += member.fee
    for fraction in refund_fractions:
        held = fee_held + sum(nets.values())
        refund = int(held * fraction)
        back = reverse_allocations(
            amount=refund, fee_held=fee_held, member_nets=dict(nets), member_fees=dict(member_fees)
        )
        # Each refund is reversed exactly, and nobody gives back more than it holds
        assert sum(back.parts()) == refund
        assert back.fee <= fee_held
        assert all(m.net <= nets[m.firm_id] for m in back.members)
        assert all(m.fee <= member_fees[m.firm_id] for m in back.members)
        fee_held -= back.fee
        for member in back.members:
            nets[member.firm_id] -= member.net
            member_fees[member.firm_id] -= member.fee
        assert fee_held >= 0 and all(value >= 0 for value in nets.values())
        assert sum(member_fees.values()) == fee_held


def test_a_refund_beyond_what_was_allocated_is_refused():
    with pytest.raises(ValueError, match="more than was allocated"):
        reverse_allocations(amount=11, fee_held=1, member_nets={7: 9}, member_fees={7: 1})


def test_largest_remainder_gives_the_leftover_yen_to_the_largest_remainders():
    assert split_largest_remainder(100, [1, 1, 1]) == [34, 33, 33]
    assert split_largest_remainder(313_500, [2667, 3333, 4000]) == [83_610, 104_490, 125_400]
    assert split_fee(330_000, 500) == (16_500, 313_500)
    assert split_fee(10, 500) == (0, 10)  # ¥0.5 of fee: the tie goes to the members
    assert split_fee(30, 500) == (1, 29)  # ¥1.5: a tie again
    assert split_fee(31, 500) == (2, 29)  # ¥1.55, rounded to the nearest yen


# --- The ledger ---------------------------------------------------------------------------


class Books:
    """An in-memory ledger: postings of lines, with the balances the database would have."""

    def __init__(self):
        self.postings: list[list[Line]] = []

    def post(self, lines: list[Line]) -> None:
        check_balanced(lines)
        self.postings.append(lines)

    def balance(self, account: str, **dimensions) -> int:
        """Return debits minus credits of an account, optionally for one order or firm."""
        return sum(
            line.signed
            for lines in self.postings
            for line in lines
            if line.account == account
            and all(getattr(line, key) == value for key, value in dimensions.items())
        )


operations = st.lists(
    st.one_of(
        st.tuples(st.just("pay"), st.integers(1, 10**8)),
        st.tuples(st.just("refund"), st.fractions(0, 1)),
        st.tuples(st.just("fault"), st.integers(0, 7), st.integers(1, 10**7)),
        st.tuples(st.just("damages_back"), st.fractions(0, 1)),
        st.tuples(
            st.just("payout"),
        ),
    ),
    max_size=12,
)


@settings(deadline=None, max_examples=50)
@given(total=st.integers(1, 10**9), fee_bps=fees, team=shares(), steps=operations)
def test_payments_refunds_faults_and_payouts_keep_every_posting_balanced(
    total, fee_bps, team, steps
):
    books = Books()
    firm_ids = [firm_id for firm_id, _ in team]
    books.post(ledger_lines_invoice(order_id=ORDER, total=total))
    fee_held, nets, member_fees, paid_in = 0, defaultdict(int), defaultdict(int), 0
    for step in steps:
        kind = step[0]
        if kind == "pay":
            amount = min(step[1], total - paid_in)
            if amount <= 0:
                continue
            paid_in += amount
            books.post(ledger_lines_payment(order_id=ORDER, amount=amount))
            plan = allocate_payment(amount=amount, fee_bps=fee_bps, weights=team)
            books.post(ledger_lines_allocation(order_id=ORDER, plan=plan))
            fee_held += plan.fee
            for member in plan.members:
                nets[member.firm_id] += member.net
                member_fees[member.firm_id] += member.fee
        elif kind == "refund":
            amount = int((fee_held + sum(nets.values())) * step[1])
            if amount <= 0:
                continue
            back = reverse_allocations(
                amount=amount,
                fee_held=fee_held,
                member_nets={f: nets[f] for f in firm_ids},
                member_fees={f: member_fees[f] for f in firm_ids},
            )
            books.post(ledger_lines_reversal(order_id=ORDER, plan=back))
            fee_held -= back.fee
            for member in back.members:
                nets[member.firm_id] -= member.net
                member_fees[member.firm_id] -= member.fee
        elif kind == "fault":
            firm_id = firm_ids[step[1] % len(firm_ids)]
            books.post(ledger_lines_fault(order_id=ORDER, firm_id=firm_id, amount=step[2]))
        elif kind == "damages_back":
            amount = int(-books.balance(Account.FAULT_DAMAGES) * step[1])
            if amount > 0:
                books.post(ledger_lines_damages_refund(order_id=ORDER, amount=amount))
        else:
            owed = {f: -books.balance(Account.MEMBER_PAYABLE, firm_id=f) for f in firm_ids}
            positive = {f: amount for f, amount in owed.items() if amount > 0}
            if positive:
                books.post(ledger_lines_payout(amounts_by_firm=positive))
            # Then members owed money are paid it all; members in debt keep their debt
            for firm_id, amount in owed.items():
                after = -books.balance(Account.MEMBER_PAYABLE, firm_id=firm_id)
                assert after == (0 if amount > 0 else amount)

    # Every posting balanced (checked on posting); so does the whole ledger
    all_lines = [line for lines in books.postings for line in lines]
    assert sum(line.signed for line in all_lines) == 0
    # What the customer owes is the total less what it paid; what is unallocated, the same
    assert books.balance(Account.CUSTOMER_RECEIVABLE) == total - paid_in
    assert -books.balance(Account.ORDER_PROCEEDS) == total - paid_in
    # The fee income is exactly the fee the allocations still hold
    assert -books.balance(Account.FEE_INCOME) == fee_held
    # A member's payable never moved because of another member's fault
    for firm_id in firm_ids:
        faults = sum(
            line.amount
            for lines in books.postings
            for line in lines
            if line.account == Account.MEMBER_PAYABLE
            and line.firm_id == firm_id
            and line.order_id == ORDER
            and lines[-1].account == Account.FAULT_DAMAGES
        )
        paid_out = sum(
            line.amount
            for lines in books.postings
            for line in lines
            if line.account == Account.MEMBER_PAYABLE
            and line.firm_id == firm_id
            and line.order_id is None
        )
        assert -books.balance(Account.MEMBER_PAYABLE, firm_id=firm_id) == (
            nets[firm_id] - faults - paid_out
        )


def test_an_unbalanced_or_empty_posting_is_refused():
    with pytest.raises(UnbalancedPosting, match="differ"):
        check_balanced([debit(Account.NETWORK_CLEARING, 10), credit(Account.FEE_INCOME, 9)])
    with pytest.raises(UnbalancedPosting):
        check_balanced([])
    with pytest.raises(UnbalancedPosting, match="positive"):
        check_balanced([debit(Account.NETWORK_CLEARING, 0), credit(Account.FEE_INCOME, 0)])
