"""Payouts: the office transfers to each member what the ledger says the network owes it.

A batch is opened as a draft that shows who would be paid what. Closing it recomputes
the lines from the payable balances at that moment (so a fault claim recorded after the
draft is honoured), posts them (Dr member payable / Cr network clearing), and freezes
each firm's bank details and the network's as they were, for the transfer file. A member
whose balance is negative (a debt from damages) gets nothing and keeps its debt; a member
owed money without a registered bank account, or whose account changed within the
cooling period (orders.services.bank_accounts), is listed as skipped and stays owed.

Balances are per network and firm across all of the network's orders; the statement
shows which orders they come from.
"""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import access
from core.bilingual import name_said_to_each
from core.errors import InvalidTransition, NotAllowed, Refusal
from members.locks import network_lock
from members.models import Firm, Network, User
from members.notifications import notifications_create
from members.selectors import firm_people
from orders.locks import payout_batch_lock
from orders.models import BankAccount, LedgerPosting, PayoutBatch, PayoutLine
from orders.services import ledger
from orders.services.bank_accounts import payout_holds
from orders.services.order_support import yen
from orders.zengin import Remitter, Transfer, ZenginError, transfers_csv, zengin_file

# The reason a firm owed money is left out of a batch while its account change cools.
HELD = "held"


def payout_plan(network: Network) -> tuple[list[PayoutLine], list[dict]]:
    """Return unsaved lines for each firm owed money, and the firms that must be skipped."""
    owed = {firm_id: balance for firm_id, balance in ledger.payable_balances(network).items()}
    owed = {firm_id: balance for firm_id, balance in sorted(owed.items()) if balance > 0}
    holds = payout_holds(owed)
    accounts = {
        account.firm_id: account for account in BankAccount.objects.filter(firm_id__in=list(owed))
    }
    names = dict(Firm.objects.filter(pk__in=list(owed)).values_list("pk", "name_en"))
    lines, skipped = [], []
    for firm_id, amount in owed.items():
        account = accounts.get(firm_id)
        if account is None:
            skipped.append(
                {
                    "firm": firm_id,
                    "firm_name": names.get(firm_id, ""),
                    "amount": amount,
                    "reason": "No bank account registered; the amount stays owed.",
                }
            )
            continue
        hold = holds.get(firm_id)
        if hold is not None:
            # The account changed lately: the amount stays owed for a later batch.
            skipped.append(
                {
                    "firm": firm_id,
                    "firm_name": names.get(firm_id, ""),
                    "amount": amount,
                    "reason": HELD,
                    "changed_at": hold.changed_at.isoformat(),
                    "held_until": hold.held_until.isoformat(),
                }
            )
            continue
        lines.append(
            PayoutLine(
                firm_id=firm_id,
                amount=amount,
                bank_code=account.bank_code,
                bank_name_kana=account.bank_name_kana,
                branch_code=account.branch_code,
                branch_name_kana=account.branch_name_kana,
                account_type=account.account_type,
                account_number=account.account_number,
                holder_kana=account.holder_kana,
            )
        )
    return lines, skipped


def _network_locked(network_id: int) -> Network:
    network = network_lock(network_id)
    if network is None:
        raise InvalidTransition(_("This network does not exist."))
    return network


def _require_transfer_date(network: Network, transfer_date: datetime.date) -> None:
    if transfer_date < timezone.localdate(timezone=network.tzinfo):
        raise Refusal(_("The transfer date is today or later."), field="transfer_date")


def _lines_replace(batch: PayoutBatch, lines: list[PayoutLine], skipped: list[dict]) -> None:
    batch.lines.all().delete()
    for line in lines:
        line.batch = batch
    PayoutLine.objects.bulk_create(lines)
    batch.total = sum(line.amount for line in lines)
    batch.line_count = len(lines)
    batch.skipped = skipped


@transaction.atomic
def payout_batch_create(
    *, network_id: int, user: User, transfer_date: datetime.date
) -> PayoutBatch:
    """Open a draft batch showing what each member would be paid now."""
    network = _network_locked(network_id)
    if not access.is_office(user, network):
        raise NotAllowed(_("Only the network's office pays members out."))
    _require_transfer_date(network, transfer_date)
    open_batch = PayoutBatch.objects.filter(network=network, status=PayoutBatch.Status.DRAFT)
    if open_batch.exists():
        raise InvalidTransition(
            _("Payout batch #%(number)s is still open: close or discard it first.")
            % {"number": open_batch.first().pk}
        )
    batch = PayoutBatch.objects.create(
        network=network, transfer_date=transfer_date, created_by=user
    )
    lines, skipped = payout_plan(network)
    _lines_replace(batch, lines, skipped)
    batch.save(update_fields=["total", "line_count", "skipped"])
    return batch


def _batch_locked(batch_id: int, user: User) -> PayoutBatch:
    batches = PayoutBatch.objects.filter(pk=batch_id)
    network_id = batches.values_list("network_id", flat=True).first()
    if network_id is None:
        raise InvalidTransition(_("This payout batch does not exist."))
    network = _network_locked(network_id)
    if not access.is_office(user, network):
        raise NotAllowed(_("Only the network's office pays members out."))
    batch = payout_batch_lock(batch_id)
    batch.network = network
    if batch.status != PayoutBatch.Status.DRAFT:
        raise InvalidTransition(_("This payout batch is closed; its transfers are posted."))
    return batch


def remitter_of(network: Network) -> dict:
    """Return the network's paying account as the transfer file's header needs it."""
    account = BankAccount.objects.filter(network=network).first()
    if account is None or not account.requester_code:
        raise InvalidTransition(
            _(
                "Register the network's bank account with its requester code (委託者コード) "
                "before closing a payout: the transfer file needs them."
            )
        )
    return {
        "requester_code": account.requester_code,
        "name_kana": account.holder_kana,
        "bank_code": account.bank_code,
        "bank_name_kana": account.bank_name_kana,
        "branch_code": account.branch_code,
        "branch_name_kana": account.branch_name_kana,
        "account_type": account.account_type,
        "account_number": account.account_number,
    }


@transaction.atomic
def payout_batch_close(*, batch_id: int, user: User) -> PayoutBatch:
    """Close the batch: pay each member its balance now, post it, freeze the bank details."""
    batch = _batch_locked(batch_id, user)
    network = batch.network
    remitter = remitter_of(network)
    _require_transfer_date(network, batch.transfer_date)
    lines, skipped = payout_plan(network)
    if not lines:
        raise InvalidTransition(
            _("Nobody with a registered bank account is owed anything: nothing to pay out.")
        )
    _lines_replace(batch, lines, skipped)
    # Check that the bank's file can be built before anything is posted: a closed batch
    # whose file cannot be written would have paid nobody while the ledger says it did.
    zengin_file_checked(
        remitter=Remitter(**remitter),
        transfer_date=batch.transfer_date,
        transfers=transfers_of(lines),
        batch_code=batch.pk,
    )
    posting = ledger.ledger_post(
        network=network,
        kind=LedgerPosting.Kind.PAYOUT,
        reference=f"payout_batch:{batch.pk}",
        lines=ledger.ledger_lines_payout(
            amounts_by_firm={line.firm_id: line.amount for line in lines}
        ),
        actor=user,
        memo=f"Transfer on {batch.transfer_date.isoformat()}",
    )
    batch.status = PayoutBatch.Status.CLOSED
    batch.closed_at = posting.created_at
    batch.closed_by = user
    batch.remitter = remitter
    batch.save(
        update_fields=[
            *("status", "closed_at", "closed_by", "remitter"),
            *("total", "line_count", "skipped"),
        ]
    )
    for line in batch.lines.all():
        notifications_create(
            kind="payout.closed",
            subject_type="payout_line",
            subject_id=line.pk,
            recipients=firm_people([line.firm_id]),
            context={
                "amount": yen(line.amount),
                "transfer_date": batch.transfer_date.isoformat(),
                "batch": batch.pk,
                "network": name_said_to_each(network),
            },
        )
    return batch


@transaction.atomic
def payout_batch_discard(*, batch_id: int, user: User) -> None:
    """Throw away a draft batch; nothing was posted."""
    batch = _batch_locked(batch_id, user)
    batch.delete()


def transfers_of(lines: Iterable[PayoutLine]) -> list[Transfer]:
    """Return payout lines as the transfer file's transfers, in firm order."""
    return [
        Transfer(
            bank_code=line.bank_code,
            bank_name_kana=line.bank_name_kana,
            branch_code=line.branch_code,
            branch_name_kana=line.branch_name_kana,
            account_type=line.account_type,
            account_number=line.account_number,
            holder_kana=line.holder_kana,
            amount=line.amount,
            customer_code=line.firm_id,
        )
        for line in sorted(lines, key=lambda line: line.firm_id)
    ]


def zengin_file_checked(
    *, remitter: Remitter, transfer_date: datetime.date, transfers: list[Transfer], batch_code: int
) -> bytes:
    """Return the Zengin file, or refuse (409) with the reason the banks' format gives."""
    try:
        return zengin_file(
            remitter=remitter,
            transfer_date=transfer_date,
            transfers=transfers,
            batch_code=batch_code,
        )
    except ZenginError as error:
        raise InvalidTransition(
            _("The bank transfer file cannot be written: %(reason)s") % {"reason": error}
        ) from None


def payout_batch_transfers(batch: PayoutBatch) -> tuple[Remitter, list[Transfer]]:
    """Return a closed batch as the transfer file's remitter and transfers."""
    if batch.status != PayoutBatch.Status.CLOSED:
        raise InvalidTransition(_("Close the batch first: the file carries what was posted."))
    return Remitter(**batch.remitter), transfers_of(batch.lines.all())


def payout_batch_zengin(batch: PayoutBatch) -> bytes:
    """Return the closed batch as a Zengin bulk-transfer file (cp932, 120-byte records).

    A batch closed before closing checked the file (one whose file cannot be written)
    answers 409 with the reason, never a 500.
    """
    remitter, transfers = payout_batch_transfers(batch)
    return zengin_file_checked(
        remitter=remitter,
        transfer_date=batch.transfer_date,
        transfers=transfers,
        batch_code=batch.pk,
    )


def payout_batch_csv(batch: PayoutBatch) -> bytes:
    """Return the batch's lines as CSV (a draft too: for checking before closing)."""
    return transfers_csv(
        {
            "batch": batch.pk,
            "transfer_date": batch.transfer_date.isoformat(),
            "firm": line.firm_id,
            "firm_name": line.firm.name_ja,
            "bank_code": line.bank_code,
            "bank_name_kana": line.bank_name_kana,
            "branch_code": line.branch_code,
            "branch_name_kana": line.branch_name_kana,
            "account_type": line.account_type,
            "account_number": line.account_number,
            "holder_kana": line.holder_kana,
            "amount": line.amount,
            "currency": batch.currency,
        }
        for line in batch.lines.select_related("firm").order_by("firm_id")
    )
