"""Where money goes out: the bank accounts firms are paid to and networks pay from (with the
history of every change), and the payout batches that turn a network's payables into one
Zengin transfer file."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from members.models import Firm, Network
from orders.models.append_only import AppendOnlyModel
from orders.models.requests import CURRENCY_CHOICES
from orders.zengin import validate_zengin_text


class BankAccount(models.Model):
    """A Japanese bank account: a member firm's (payee) or a network's (remitter).

    Names are in the half-width katakana the banks' transfer files use; the remitter also
    needs the requester code (委託者コード) its bank assigned for bulk transfers.
    """

    class Type(models.TextChoices):
        ORDINARY = "1", _("Ordinary (普通)")
        CHECKING = "2", _("Checking (当座)")
        SAVINGS = "4", _("Savings (貯蓄)")
        OTHER = "9", _("Other")

    firm = models.OneToOneField(
        Firm, on_delete=models.CASCADE, null=True, blank=True, related_name="bank_account"
    )
    network = models.OneToOneField(
        Network, on_delete=models.CASCADE, null=True, blank=True, related_name="bank_account"
    )
    bank_code = models.CharField(
        _("bank code"), max_length=4, validators=[RegexValidator(r"^\d{4}$", _("Four digits."))]
    )
    bank_name_kana = models.CharField(
        _("bank name (half-width kana)"), max_length=15, validators=[validate_zengin_text]
    )
    branch_code = models.CharField(
        _("branch code"), max_length=3, validators=[RegexValidator(r"^\d{3}$", _("Three digits."))]
    )
    branch_name_kana = models.CharField(
        _("branch name (half-width kana)"), max_length=15, validators=[validate_zengin_text]
    )
    account_type = models.CharField(
        _("account type"), max_length=1, choices=Type.choices, default=Type.ORDINARY
    )
    account_number = models.CharField(
        _("account number"),
        max_length=7,
        validators=[RegexValidator(r"^\d{7}$", _("Seven digits."))],
    )
    holder_kana = models.CharField(
        _("account holder (half-width kana)"), max_length=40, validators=[validate_zengin_text]
    )
    requester_code = models.CharField(
        _("requester code (委託者コード)"),
        max_length=10,
        blank=True,
        validators=[RegexValidator(r"^\d{10}$", _("Ten digits."))],
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "brokerage_bankaccount"
        verbose_name = _("bank account")
        verbose_name_plural = _("bank accounts")
        constraints = [
            models.CheckConstraint(
                condition=Q(firm__isnull=False, network__isnull=True)
                | Q(firm__isnull=True, network__isnull=False),
                name="bank_account_one_owner",
            )
        ]

    def __str__(self) -> str:
        return f"{self.bank_code}-{self.branch_code} {self.account_number} {self.holder_kana}"


class BankAccountChange(AppendOnlyModel):
    """Who registered or changed a bank account, when, and until when its payouts wait.

    Account numbers are kept masked (the last three digits): the history and the notices
    drawn from it name an account without being a copy of it. Append-only: the model
    refuses edits and deletes and, on PostgreSQL, a trigger (migration 0005) refuses them
    whoever connects.
    """

    firm = models.ForeignKey(
        Firm, on_delete=models.PROTECT, null=True, blank=True, related_name="bank_account_changes"
    )
    network = models.ForeignKey(
        Network,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bank_account_changes",
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"))
    before = models.JSONField(_("before (masked)"), default=dict, blank=True)
    after = models.JSONField(_("after (masked)"), default=dict)
    held_until = models.DateTimeField(
        _("payouts held until"),
        null=True,
        blank=True,
        help_text=_("Empty when nothing is held (a first registration, a network's account)."),
    )

    class Meta:
        db_table = "brokerage_bankaccountchange"
        ordering = ["-changed_at", "-id"]
        verbose_name = _("bank account change")
        verbose_name_plural = _("bank account changes")
        constraints = [
            models.CheckConstraint(
                condition=Q(firm__isnull=False, network__isnull=True)
                | Q(firm__isnull=True, network__isnull=False),
                name="bank_account_change_one_owner",
            ),
        ]
        indexes = [models.Index(fields=["firm", "-held_until"])]

    def __str__(self) -> str:
        return f"{self.changed_at:%Y-%m-%d %H:%M} {self.after.get('account_number', '')}"


class PayoutBatch(models.Model):
    """A network's transfer run: each member with money owed gets one line.

    A draft shows what would be paid; closing it recomputes the lines from the balances at
    that moment, posts them to the ledger and freezes the bank details for the export.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CLOSED = "closed", _("Closed")

    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="payout_batches")
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    transfer_date = models.DateField(_("transfer date"))
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="JPY")
    total = models.PositiveBigIntegerField(_("total"), default=0)
    line_count = models.PositiveIntegerField(_("lines"), default=0)
    skipped = models.JSONField(
        _("firms skipped"),
        default=list,
        blank=True,
        help_text=_("Firms owed money that could not be paid (no bank account), and why."),
    )
    remitter = models.JSONField(_("remitter's account"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        db_table = "brokerage_payoutbatch"
        ordering = ["-created_at", "-id"]
        verbose_name = _("payout batch")
        verbose_name_plural = _("payout batches")
        constraints = [
            models.UniqueConstraint(
                fields=["network"], condition=Q(status="draft"), name="payout_one_draft_per_network"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(closed_at__isnull=False),
                name="payout_closed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Payout #{self.pk} ({self.network.slug}, {self.transfer_date})"


class PayoutLine(models.Model):
    """One member firm's transfer in a batch, with its bank details as they were."""

    batch = models.ForeignKey(PayoutBatch, on_delete=models.CASCADE, related_name="lines")
    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="payout_lines")
    amount = models.PositiveBigIntegerField(_("amount"))
    bank_code = models.CharField(max_length=4)
    bank_name_kana = models.CharField(max_length=15)
    branch_code = models.CharField(max_length=3)
    branch_name_kana = models.CharField(max_length=15)
    account_type = models.CharField(max_length=1)
    account_number = models.CharField(max_length=7)
    holder_kana = models.CharField(max_length=40)

    class Meta:
        db_table = "brokerage_payoutline"
        ordering = ["batch", "firm_id"]
        verbose_name = _("payout line")
        verbose_name_plural = _("payout lines")
        constraints = [
            models.UniqueConstraint(fields=["batch", "firm"], name="payout_line_once_per_firm"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payout_line_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.firm} ¥{self.amount:,}"
