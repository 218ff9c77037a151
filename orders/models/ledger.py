"""The double-entry ledger: a posting per money event, its entries on the accounts.

Money is a whole number of yen (JPY has no minor unit) with its currency beside it, never
a float. How the money flows between the accounts is described in
`orders.services.ledger`."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from members.models import Firm, Network
from orders.models.append_only import AppendOnlyModel
from orders.models.orders import Order
from orders.models.requests import CURRENCY_CHOICES


class LedgerPosting(AppendOnlyModel):
    """One balanced journal entry: its lines' debits equal their credits."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice issued: receivable raised")
        PAYMENT = "payment", _("Payment received")
        ALLOCATION = "allocation", _("Payment allocated")
        REFUND = "refund", _("Refund")
        FAULT = "fault", _("Fault damages charged")
        PAYOUT = "payout", _("Payout to members")

    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, null=True, blank=True, related_name="postings"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    reference = models.CharField(
        _("reference"), max_length=60, help_text=_("The record posted, e.g. payment:12.")
    )
    memo = models.CharField(_("memo"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        db_table = "brokerage_ledgerposting"
        ordering = ["created_at", "id"]
        verbose_name = _("ledger posting")
        verbose_name_plural = _("ledger postings")
        indexes = [models.Index(fields=["network", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.reference}"


class LedgerEntry(AppendOnlyModel):
    """One line of a posting: a debit or a credit of one account."""

    class Account(models.TextChoices):
        CUSTOMER_RECEIVABLE = "customer_receivable", _("Customer receivable")
        ORDER_PROCEEDS = "order_proceeds", _("Order proceeds to allocate")
        NETWORK_CLEARING = "network_clearing", _("Network clearing (bank)")
        FEE_INCOME = "fee_income", _("Office fee income")
        MEMBER_PAYABLE = "member_payable", _("Member payable")
        FAULT_DAMAGES = "fault_damages", _("Fault damages held for the customer")

    class Side(models.TextChoices):
        DEBIT = "D", _("Debit")
        CREDIT = "C", _("Credit")

    posting = models.ForeignKey(LedgerPosting, on_delete=models.PROTECT, related_name="entries")
    account = models.CharField(_("account"), max_length=24, choices=Account.choices)
    side = models.CharField(_("side"), max_length=1, choices=Side.choices)
    amount = models.PositiveBigIntegerField(_("amount"))
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="JPY")
    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entries"
    )
    firm = models.ForeignKey(
        Firm, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entries"
    )

    class Meta:
        db_table = "brokerage_ledgerentry"
        ordering = ["posting", "id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_entry_amount_positive"),
            models.CheckConstraint(
                condition=~Q(account="member_payable") | Q(firm__isnull=False),
                name="ledger_payable_has_firm",
            ),
        ]
        indexes = [
            models.Index(fields=["network", "account", "firm"]),
            models.Index(fields=["order", "account"]),
        ]

    def __str__(self) -> str:
        return f"{self.side} {self.account} ¥{self.amount:,}"


# --- Bank accounts and payouts ----------------------------------------------------------
