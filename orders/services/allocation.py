"""Split a payment between the office fee and the team, and reverse it for a refund.

Pure arithmetic on integer yen, with no database, so that the properties that matter
(the parts sum exactly to the whole, nobody gets a negative part, a reversal never takes
back more than a party received) can be tested for any input.

How a payment is split (`allocate_payment`)
    1. The office fee is `fee_bps` of the whole payment, consumption tax included
       (`orders.money.split_fee`: rounded to the yen, a tie goes to the members).
    2. The rest is split among the team members in proportion to their weights (their
       shares in basis points, or their fixed amounts) by largest remainder.
    3. For each member's statement, the fee is attributed to the members in proportion to
       what they received, by largest remainder again; the attribution is information,
       not money: the fee is one part of its own.
    The parts (the fee and each member's net) sum exactly to the payment. Each payment is
    split on its own, so when an order is paid in several instalments a member's total
    may differ from its exact share of the whole by less than one yen per instalment;
    paid at once, a team of fixed amounts receives exactly those amounts.

How a refund is reversed (`reverse_allocations`)
    The refund is split by largest remainder in proportion to what each party (the fee
    first, then the members) still holds from the order's allocations, so each party
    gives back its proportional part and never more than it received.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from orders.money import split_fee, split_largest_remainder


@dataclass(frozen=True)
class MemberPart:
    """A member's part of a payment (or of a reversal): before and after the fee."""

    firm_id: int
    net: int
    fee: int

    @property
    def gross(self) -> int:
        return self.net + self.fee


@dataclass(frozen=True)
class AllocationPlan:
    """The office fee and each member's part; together they are exactly `total`."""

    total: int
    fee: int
    members: tuple[MemberPart, ...]

    def parts(self) -> list[int]:
        """Return the amounts that are money of their own: the fee, then the members' nets."""
        return [self.fee, *(member.net for member in self.members)]


def _proportional(total: int, weights: Sequence[int]) -> list[int]:
    """Split `total` by `weights`; zero weights throughout give everyone nothing."""
    if total == 0:
        return [0] * len(weights)
    return split_largest_remainder(total, weights)


def allocate_payment(
    *, amount: int, fee_bps: int, weights: Sequence[tuple[int, int]]
) -> AllocationPlan:
    """Split a payment into the office fee and the members' parts (see the module doc).

    `weights` pairs each member's firm id with its share in basis points or fixed amount.
    """
    if amount < 0:
        raise ValueError("a payment is not negative")
    if not weights:
        raise ValueError("a payment is split among at least one team member")
    firm_ids = [firm_id for firm_id, _ in weights]
    member_weights = [weight for _, weight in weights]
    fee, rest = split_fee(amount, fee_bps)
    if sum(member_weights) == 0:
        if rest:
            raise ValueError("the members' weights are all zero, but something is left")
        nets = [0] * len(weights)
        fee_weights = [1] * len(weights)
    else:
        nets = split_largest_remainder(rest, member_weights)
        fee_weights = nets if sum(nets) else member_weights
    fees = _proportional(fee, fee_weights)
    members = tuple(
        MemberPart(firm_id=firm_id, net=net, fee=member_fee)
        for firm_id, net, member_fee in zip(firm_ids, nets, fees, strict=True)
    )
    return AllocationPlan(total=amount, fee=fee, members=members)


def reverse_allocations(
    *,
    amount: int,
    fee_held: int,
    member_nets: Mapping[int, int],
    member_fees: Mapping[int, int],
) -> AllocationPlan:
    """Return what each party gives back of a refund of `amount` (positive amounts).

    `fee_held` is the office fee the order's allocations still hold, `member_nets` what each
    member still holds, and `member_fees` the fee still attributed to each member.
    """
    firm_ids = list(member_nets)
    held = [fee_held, *(member_nets[firm_id] for firm_id in firm_ids)]
    if amount < 0 or any(part < 0 for part in held):
        raise ValueError("amounts are not negative")
    if amount > sum(held):
        raise ValueError("a refund cannot reverse more than was allocated")
    parts = _proportional(amount, held)
    fee_back, nets_back = parts[0], parts[1:]
    fees_back = _proportional(fee_back, [member_fees.get(firm_id, 0) for firm_id in firm_ids])
    members = tuple(
        MemberPart(firm_id=firm_id, net=net, fee=member_fee)
        for firm_id, net, member_fee in zip(firm_ids, nets_back, fees_back, strict=True)
    )
    return AllocationPlan(total=amount, fee=fee_back, members=members)
