"""The append-only double-entry ledger: which postings each money event makes.

Accounts (each line also names the network, and where it applies the order and firm)

    customer_receivable  what the customer still owes for an order (debit balance)
    order_proceeds       what was invoiced for an order and not yet allocated (credit)
    network_clearing     the office's client-money bank account the money passes through
    fee_income           the network office's fees (credit)
    member_payable       what the network owes a member firm (credit); a debit balance is
                         the firm's debt, e.g. damages larger than what it was owed
    fault_damages        damages charged to a responsible member and held for the
                         customer, until refunded or set off against a payment (credit)

Postings (every one balanced: its debits equal its credits)

    invoice     Dr customer_receivable  / Cr order_proceeds        the order's total
    payment     Dr network_clearing     / Cr customer_receivable   what the customer paid
                (a set-off against damages debits fault_damages instead of the bank)
    allocation  Dr order_proceeds       / Cr fee_income, Cr member_payable (each member)
    fault       Dr member_payable (the responsible firm only) / Cr fault_damages
    refund      Dr fee_income, Dr member_payable (proportionally) / Cr network_clearing
                or, for damages paid back:  Dr fault_damages / Cr network_clearing
    payout      Dr member_payable (each firm paid) / Cr network_clearing

A refund reduces what the order is worth to everybody in proportion, so it does not
raise the customer's receivable again. Consumption tax is not split out: the whole
payment, tax included, is allocated by the same shares (see `allocation`), and the tax
appears once on the invoice, computed once per document.

`ledger_lines_*` build the lines in memory (so the balancing can be tested for any
amounts); `ledger_post` checks and writes them in the caller's transaction.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db.models import Case, F, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce

from members.models import Network, User
from orders.models import LedgerEntry, LedgerPosting, Order
from orders.services.allocation import AllocationPlan

Account = LedgerEntry.Account
DEBIT = LedgerEntry.Side.DEBIT
CREDIT = LedgerEntry.Side.CREDIT


class UnbalancedPosting(ValueError):
    """A posting whose debits and credits differ, or with a line that is not positive."""


@dataclass(frozen=True)
class Line:
    account: str
    side: str
    amount: int
    order_id: int | None = None
    firm_id: int | None = None

    @property
    def signed(self) -> int:
        """Return the amount as a debit balance moves: debits up, credits down."""
        return self.amount if self.side == DEBIT else -self.amount


def debit(account: str, amount: int, **dimensions) -> Line:
    return Line(account=account, side=DEBIT, amount=amount, **dimensions)


def credit(account: str, amount: int, **dimensions) -> Line:
    return Line(account=account, side=CREDIT, amount=amount, **dimensions)


def without_zeros(lines: Iterable[Line]) -> list[Line]:
    """Drop lines of zero yen: a member whose part rounds to nothing gets no line."""
    return [line for line in lines if line.amount != 0]


def check_balanced(lines: Sequence[Line]) -> None:
    """Refuse a posting that is empty, has a non-positive line, or does not balance."""
    if not lines:
        raise UnbalancedPosting("a posting has at least one debit and one credit")
    if any(line.amount <= 0 for line in lines):
        raise UnbalancedPosting("every line of a posting is a positive amount")
    debits = sum(line.amount for line in lines if line.side == DEBIT)
    credits = sum(line.amount for line in lines if line.side == CREDIT)
    if debits != credits:
        raise UnbalancedPosting(f"debits {debits} and credits {credits} differ")


def ledger_lines_invoice(*, order_id: int, total: int) -> list[Line]:
    return without_zeros(
        [
            debit(Account.CUSTOMER_RECEIVABLE, total, order_id=order_id),
            credit(Account.ORDER_PROCEEDS, total, order_id=order_id),
        ]
    )


def ledger_lines_payment(*, order_id: int, amount: int, from_damages: bool = False) -> list[Line]:
    source = Account.FAULT_DAMAGES if from_damages else Account.NETWORK_CLEARING
    return [
        debit(source, amount, order_id=order_id),
        credit(Account.CUSTOMER_RECEIVABLE, amount, order_id=order_id),
    ]


def ledger_lines_allocation(*, order_id: int, plan: AllocationPlan) -> list[Line]:
    return without_zeros(
        [
            debit(Account.ORDER_PROCEEDS, plan.total, order_id=order_id),
            credit(Account.FEE_INCOME, plan.fee, order_id=order_id),
            *(
                credit(
                    Account.MEMBER_PAYABLE, member.net, order_id=order_id, firm_id=member.firm_id
                )
                for member in plan.members
            ),
        ]
    )


def ledger_lines_reversal(*, order_id: int, plan: AllocationPlan) -> list[Line]:
    return without_zeros(
        [
            debit(Account.FEE_INCOME, plan.fee, order_id=order_id),
            *(
                debit(Account.MEMBER_PAYABLE, member.net, order_id=order_id, firm_id=member.firm_id)
                for member in plan.members
            ),
            credit(Account.NETWORK_CLEARING, plan.total, order_id=order_id),
        ]
    )


def ledger_lines_damages_refund(*, order_id: int, amount: int) -> list[Line]:
    return [
        debit(Account.FAULT_DAMAGES, amount, order_id=order_id),
        credit(Account.NETWORK_CLEARING, amount, order_id=order_id),
    ]


def ledger_lines_fault(*, order_id: int, firm_id: int, amount: int) -> list[Line]:
    return [
        debit(Account.MEMBER_PAYABLE, amount, order_id=order_id, firm_id=firm_id),
        credit(Account.FAULT_DAMAGES, amount, order_id=order_id),
    ]


def ledger_lines_payout(*, amounts_by_firm: Mapping[int, int]) -> list[Line]:
    return without_zeros(
        [
            *(
                debit(Account.MEMBER_PAYABLE, amount, firm_id=firm_id)
                for firm_id, amount in amounts_by_firm.items()
            ),
            credit(Account.NETWORK_CLEARING, sum(amounts_by_firm.values())),
        ]
    )


def ledger_post(
    *,
    network: Network,
    kind: str,
    reference: str,
    lines: Sequence[Line],
    actor: User | None,
    order: Order | None = None,
    memo: str = "",
) -> LedgerPosting:
    """Write one balanced posting (in the caller's transaction), or refuse it."""
    check_balanced(lines)
    posting = LedgerPosting.objects.create(
        network=network,
        order=order,
        kind=kind,
        reference=reference,
        memo=memo[:300],
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(
                posting=posting,
                account=line.account,
                side=line.side,
                amount=line.amount,
                currency=order.currency if order is not None else "JPY",
                network=network,
                order_id=line.order_id,
                firm_id=line.firm_id,
            )
            for line in lines
        ]
    )
    return posting


# --- Balances ---------------------------------------------------------------------------

SIGNED_AMOUNT = Case(When(side=DEBIT, then=F("amount")), default=-F("amount"))


def debit_balance(entries: QuerySet[LedgerEntry]) -> int:
    """Return debits minus credits of the given entries (0 if there are none)."""
    return entries.aggregate(balance=Coalesce(Sum(SIGNED_AMOUNT), Value(0)))["balance"]


def receivable_balance(order: Order) -> int:
    """Return what the customer still owes on the order's invoice."""
    return debit_balance(
        LedgerEntry.objects.filter(order=order, account=Account.CUSTOMER_RECEIVABLE)
    )


def damages_held(order: Order) -> int:
    """Return the fault damages charged on the order and not yet paid back or set off."""
    return -debit_balance(LedgerEntry.objects.filter(order=order, account=Account.FAULT_DAMAGES))


def payable_balances(network: Network) -> dict[int, int]:
    """Return what the network owes each firm with a payable account (negative: a debt)."""
    rows = (
        LedgerEntry.objects.filter(network=network, account=Account.MEMBER_PAYABLE)
        .values("firm_id")
        .annotate(balance=Sum(SIGNED_AMOUNT))
    )
    return {row["firm_id"]: -row["balance"] for row in rows}
