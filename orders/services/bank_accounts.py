"""Bank accounts: the account a firm is paid to, and the one a network's office pays from.

A firm's account is written by the firm's own people (and platform staff) alone; its
network's office reads it only while the firm is an active member, to pay it out. Bank
and branch codes must exist in the Zengin bank code data, and the names are kept as a
Zengin transfer file carries them (orders.bank_codes).

A change of a firm's account is the step an account takeover needs, so every change is
recorded (who, when, masked), every person of the firm is told, and the firm's payouts
wait for BANK_ACCOUNT_CHANGE_HOLD_HOURS: a payout batch built meanwhile leaves the firm's
amount owed, for a later batch. A first registration is told but holds nothing: there
is no earlier account to divert money from.
"""

import datetime
from dataclasses import asdict, dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import access, clock
from core.bilingual import name_said_to_each
from core.errors import NotAllowed, Refusal
from members.models import Firm, Network, User
from members.notifications import notifications_create
from members.selectors import firm_people, office_people
from orders.bank_codes import bank_branch_lookup, holder_name_kana
from orders.locks import bank_account_lock
from orders.models import BankAccount, BankAccountChange

# What identifies where the money goes: a change of any of these holds payouts.
DESTINATION_FIELDS = ("bank_code", "branch_code", "account_type", "account_number", "holder_kana")
# Notices and the history show the account number's last digits only.
SHOWN_DIGITS = 3
NOTICE_TIME_ZONE = "Asia/Tokyo"


@dataclass(frozen=True)
class BankAccountInput:
    bank_code: str
    branch_code: str
    account_number: str
    holder_kana: str
    account_type: str = BankAccount.Type.ORDINARY
    requester_code: str = ""
    # The names come from the Zengin data; what a person typed is not needed.
    bank_name_kana: str = ""
    branch_name_kana: str = ""


def masked_account_number(number: str) -> str:
    return "*" * max(len(number) - SHOWN_DIGITS, 0) + number[-SHOWN_DIGITS:]


def account_summary(account: BankAccount | None) -> dict:
    """Return where an account pays to, with its number masked (history and notices)."""
    if account is None or account.pk is None:
        return {}
    return {
        "bank_code": account.bank_code,
        "branch_code": account.branch_code,
        "account_type": account.account_type,
        "account_number": masked_account_number(account.account_number),
        "holder_kana": account.holder_kana,
    }


def _checked_values(data: BankAccountInput) -> dict:
    """Return the account's fields as stored, or refuse every wrong field at once (the
    bank's and branch's codes, and the holder's name), so they are corrected in one go."""
    values = asdict(data)
    problems: dict[str, list] = {}
    try:
        names = bank_branch_lookup(bank_code=data.bank_code, branch_code=data.branch_code)
    except Refusal as refusal:
        problems.update(refusal.messages_by_field())
    else:
        values["bank_name_kana"] = names.bank_name_kana
        values["branch_name_kana"] = names.branch_name_kana
    try:
        values["holder_kana"] = holder_name_kana(data.holder_kana)
    except Refusal as refusal:
        problems.update(refusal.messages_by_field())
    if problems:
        raise Refusal.of_fields(problems)
    return values


def hold_hours() -> int:
    return max(int(settings.BANK_ACCOUNT_CHANGE_HOLD_HOURS), 0)


@transaction.atomic
def bank_account_set(
    *,
    user: User,
    data: BankAccountInput,
    firm: Firm | None = None,
    network: Network | None = None,
) -> BankAccount:
    """Register or change the account a firm is paid to, or a network pays from."""
    if (firm is None) == (network is None):
        raise ValueError("a bank account belongs to a firm or a network")
    if firm is not None and not access.may_write_firm_bank_account(user, firm.pk):
        raise NotAllowed(_("Only the firm's own people set the account it is paid to."))
    if network is not None:
        if not access.is_office(user, network):
            raise NotAllowed(_("Only the network's office sets the account it pays from."))
        if not data.requester_code:
            raise Refusal(
                _("The bank's requester code (委託者コード) is needed."), field="requester_code"
            )
    values = _checked_values(data)
    account = bank_account_lock(firm=firm, network=network)
    before = account_summary(account)
    if account is None:
        account = BankAccount(firm=firm, network=network)
    for field, value in values.items():
        setattr(account, field, value)
    account.updated_by = user
    account.full_clean(exclude=["firm", "network", "updated_by"])
    after = account_summary(account)
    destination_changed = any(before.get(f) != after.get(f) for f in DESTINATION_FIELDS)
    account.save()
    if before and not destination_changed:
        return account
    now = clock.now()
    held_until = (
        now + datetime.timedelta(hours=hours)
        if firm is not None and before and (hours := hold_hours())
        else None
    )
    change = BankAccountChange.objects.create(
        firm=firm,
        network=network,
        changed_by=user if user.is_authenticated else None,
        changed_at=now,
        before=before,
        after=after,
        held_until=held_until,
    )
    if firm is not None:
        _tell_the_firm(firm, change, account)
    else:
        _tell_the_office(network, change, account)
    return account


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment, timezone=ZoneInfo(NOTICE_TIME_ZONE)).strftime(
        "%Y-%m-%d %H:%M"
    )


def _tell_the_firm(firm: Firm, change: BankAccountChange, account: BankAccount) -> None:
    """Tell every person of the firm, in their language; the number is masked."""
    changed_by = change.changed_by
    context = {
        "firm": name_said_to_each(firm),
        "bank_code": account.bank_code,
        "branch_code": account.branch_code,
        "account_tail": account.account_number[-SHOWN_DIGITS:],
        "changed_by": changed_by.display_name if changed_by else "",
        "changed_at": _local(change.changed_at),
        "held_until": _local(change.held_until) if change.held_until else "",
    }
    notifications_create(
        kind="bank_account.changed" if change.held_until else "bank_account.registered",
        subject_type="bank_account_change",
        subject_id=change.pk,
        recipients=firm_people([firm.pk]),
        context=context,
        link=f"/bank-accounts/firms/{firm.pk}/",
        urgent=bool(change.held_until),
    )


def _tell_the_office(network: Network, change: BankAccountChange, account: BankAccount) -> None:
    """Tell every person of the network's office: invoices name this account to customers,
    so a change nobody in the office made must be noticed at once."""
    changed_by = change.changed_by
    notifications_create(
        kind="bank_account.network_changed",
        subject_type="bank_account_change",
        subject_id=change.pk,
        recipients=office_people(network),
        context={
            "network": name_said_to_each(network),
            "bank_code": account.bank_code,
            "branch_code": account.branch_code,
            "account_tail": account.account_number[-SHOWN_DIGITS:],
            "changed_by": changed_by.display_name if changed_by else "",
            "changed_at": _local(change.changed_at),
        },
        link=f"/bank-accounts/networks/{network.slug}/",
        urgent=True,
    )


def payout_holds(firm_ids, *, now: datetime.datetime | None = None) -> dict[int, BankAccountChange]:
    """Return, per firm, the account change whose cooling period still holds its payouts."""
    now = now or clock.now()
    holds: dict[int, BankAccountChange] = {}
    changes = BankAccountChange.objects.filter(
        firm_id__in=list(firm_ids), held_until__gt=now
    ).order_by("firm_id", "-held_until")
    for change in changes:
        holds.setdefault(change.firm_id, change)
    return holds
