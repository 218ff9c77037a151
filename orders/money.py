"""Money as integer minor units: consumption tax and exact splits, never floats.

JPY has no minor unit below the yen, so an amount in JPY is a whole number of yen.
"""

from collections.abc import Sequence

BASIS_POINTS = 10_000
CONSUMPTION_TAX_BPS = 1_000  # 10%, the standard rate


def consumption_tax(subtotal: int, *, rate_bps: int = CONSUMPTION_TAX_BPS) -> int:
    """Return the consumption tax on a document's subtotal, rounded down once.

    Qualified invoices round tax once per document per rate; rounding down (切り捨て)
    is the practice customers expect and never overcharges them.
    """
    if subtotal < 0:
        raise ValueError("subtotal must not be negative")
    return subtotal * rate_bps // BASIS_POINTS


def split_largest_remainder(total: int, weights: Sequence[int]) -> list[int]:
    """Split `total` in proportion to `weights` so that the parts sum exactly to it.

    Each part gets the floor of its exact share; the units left over go, one each, to
    the parts with the largest remainders (ties to the earlier part), so the result is
    deterministic and no part differs from its exact share by a whole unit or more.
    """
    if total < 0:
        raise ValueError("total must not be negative")
    if not weights:
        raise ValueError("at least one weight is needed")
    if any(weight < 0 for weight in weights):
        raise ValueError("weights must not be negative")
    weight_sum = sum(weights)
    if weight_sum == 0:
        raise ValueError("the weights must not all be zero")
    floors = [total * weight // weight_sum for weight in weights]
    remainders = [total * weight % weight_sum for weight in weights]
    leftover = total - sum(floors)
    by_remainder = sorted(range(len(weights)), key=lambda index: (-remainders[index], index))
    for index in by_remainder[:leftover]:
        floors[index] += 1
    return floors


def split_fee(total: int, fee_bps: int) -> tuple[int, int]:
    """Split `total` into a fee at `fee_bps` and the rest, summing exactly to `total`.

    The fee is rounded to the nearest unit, and exactly half a unit goes to the rest:
    whoever charges the fee never gains from a tie.
    """
    if not 0 <= fee_bps <= BASIS_POINTS:
        raise ValueError("the fee is between 0 and 10,000 basis points")
    rest, fee = split_largest_remainder(total, [BASIS_POINTS - fee_bps, fee_bps])
    return fee, rest
