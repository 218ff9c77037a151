"""The tables of an order's team, deliveries and money: payments, allocations, the ledger.

Money is a whole number of yen (JPY has no minor unit) with its currency beside it;
nothing here is ever a float. The ledger (`LedgerPosting` with its `LedgerEntry` lines)
and the records it is posted from (`Invoice`, `Payment`, `Allocation`, `FaultClaim`,
`Refund`) are append-only: a mistake is corrected by a reversing entry, never by an edit.
The models refuse updates and deletes themselves, and on PostgreSQL a trigger (migration
0004) refuses them in the database too, whoever connects. How the money flows between the
accounts is described in `brokerage.services.ledger`.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from brokerage.zengin import validate_zengin_text
from members.models import Firm, Network
from orders.models import CURRENCY_CHOICES, Order, StoredUpload
from orders.money import BASIS_POINTS


class AppendOnlyError(RuntimeError):
    """An append-only row was about to be changed or deleted."""


class AppendOnlyQuerySet(models.QuerySet):
    """Refuse bulk updates and deletes: append-only rows are corrected by new rows."""

    def update(self, **kwargs):
        raise AppendOnlyError(
            f"{self.model._meta.verbose_name_plural} are append-only; post a correction."
        )

    def delete(self):
        raise AppendOnlyError(
            f"{self.model._meta.verbose_name_plural} are append-only; post a correction."
        )


class AppendOnlyModel(models.Model):
    """A row that is written once and never changed or deleted."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(
                f"{self._meta.verbose_name} #{self.pk} is append-only; post a correction."
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(
            f"{self._meta.verbose_name} #{self.pk} is append-only; post a correction."
        )


# --- The team ---------------------------------------------------------------------------


class TeamMember(models.Model):
    """One firm's part in an order: its role, work package, share and progress."""

    class Role(models.TextChoices):
        LEADER = "leader", _("Project leader")
        MEMBER = "member", _("Team member")

    class Phase(models.TextChoices):
        PLANNING = "planning", _("Planning")
        DESIGN = "design", _("Design")
        PROTOTYPE = "prototype", _("Prototype")
        PRODUCTION = "production", _("Production")
        COMMERCIALIZATION = "commercialization", _("Commercialization")

    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    class Confirmation(models.TextChoices):
        PENDING = "pending", _("Waiting for the firm")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Declined")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="team_members")
    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="team_parts")
    position = models.PositiveSmallIntegerField(default=0)
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    work_package = models.CharField(_("work package"), max_length=200)
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)
    share_bps = models.PositiveIntegerField(
        _("share (basis points)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(BASIS_POINTS)],
        help_text=_("Share of what is left after the office fee; 10,000 = all of it."),
    )
    amount = models.PositiveBigIntegerField(
        _("fixed amount"),
        null=True,
        blank=True,
        help_text=_("A fixed amount instead of a share; the team's amounts sum to what is left."),
    )
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.PLANNED
    )
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_finish = models.DateField(_("planned finish"), null=True, blank=True)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    finished_on = models.DateField(_("finished on"), null=True, blank=True)
    confirmation = models.CharField(
        _("confirmation"),
        max_length=10,
        choices=Confirmation.choices,
        default=Confirmation.PENDING,
    )
    confirmed_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "position", "id"]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(fields=["order", "firm"], name="team_member_once_per_order"),
            models.CheckConstraint(
                condition=Q(share_bps__isnull=True, amount__isnull=False)
                | Q(share_bps__isnull=False, amount__isnull=True),
                name="team_member_share_or_amount",
            ),
            models.CheckConstraint(
                condition=Q(share_bps__isnull=True) | Q(share_bps__lte=BASIS_POINTS),
                name="team_member_share_at_most_whole",
            ),
            models.CheckConstraint(
                condition=Q(planned_start__isnull=True)
                | Q(planned_finish__isnull=True)
                | Q(planned_start__lte=F("planned_finish")),
                name="team_member_plan_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(state="done") | Q(finished_on__isnull=False),
                name="team_member_done_has_date",
            ),
            models.CheckConstraint(
                condition=Q(confirmation="pending") | Q(confirmed_at__isnull=False),
                name="team_member_answer_has_time",
            ),
        ]
        indexes = [models.Index(fields=["firm", "order"])]

    def __str__(self) -> str:
        return f"{self.firm} on order #{self.order_id}: {self.work_package}"

    @property
    def weight(self) -> int:
        """Return what this part's allocations are proportional to: its share or amount."""
        return self.share_bps if self.share_bps is not None else self.amount


# --- Deliveries -------------------------------------------------------------------------


class Delivery(models.Model):
    """Goods sent to the customer, with inspection documents; the customer confirms receipt."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="deliveries")
    firm = models.ForeignKey(
        Firm,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The team firm that shipped; empty when the office shipped for the team."),
    )
    description = models.CharField(_("description"), max_length=300)
    quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)
    is_final = models.BooleanField(
        _("final delivery"),
        default=False,
        help_text=_("Its receipt completes the delivery of the order."),
    )
    shipped_at = models.DateTimeField(_("shipped at"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["order", "shipped_at", "id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [models.Index(fields=["order", "shipped_at"])]

    def __str__(self) -> str:
        return f"Delivery #{self.pk} of order #{self.order_id}"


def inspection_document_path(instance: "InspectionDocument", filename: str) -> str:
    # Like drawings: a private, content-addressed name; the customer's name is metadata.
    return (
        f"inspections/{instance.delivery.order_id}/{instance.delivery_id}/"
        f"{instance.sha256[:16]}{instance.extension}"
    )


class InspectionDocument(StoredUpload):
    """An inspection report or photo attached to a delivery, stored privately."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to=inspection_document_path, max_length=300)

    class Meta:
        ordering = ["delivery", "uploaded_at", "id"]
        verbose_name = _("inspection document")
        verbose_name_plural = _("inspection documents")
        constraints = [
            models.UniqueConstraint(
                fields=["delivery", "sha256"], name="inspection_document_once_per_delivery"
            )
        ]


# --- Invoices, payments, allocations ----------------------------------------------------


class Invoice(AppendOnlyModel):
    """The qualified invoice (適格請求書) for an order: numbered per network and year.

    The issuer's name and registration number and the order's lines are copied in, so the
    document reads the same later whatever changes in the network's settings.
    """

    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="invoice")
    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField(_("invoice number"), max_length=40)
    issued_at = models.DateTimeField(_("issued at"))
    issuer_name = models.CharField(_("issuer"), max_length=200)
    issuer_address = models.CharField(_("issuer address"), max_length=300, blank=True)
    registration_number = models.CharField(
        _("qualified-invoice registration number"), max_length=14, blank=True
    )
    customer_name = models.CharField(_("billed to"), max_length=300)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="JPY")
    lines = models.JSONField(_("lines"), default=list)
    subtotal = models.PositiveBigIntegerField(_("subtotal"))
    tax_rate_bps = models.PositiveIntegerField(_("consumption tax rate (basis points)"))
    tax = models.PositiveBigIntegerField(_("consumption tax"))
    total = models.PositiveBigIntegerField(_("total"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["network", "number"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            models.UniqueConstraint(fields=["network", "number"], name="invoice_number_unique"),
            models.CheckConstraint(
                condition=Q(total=F("subtotal") + F("tax")), name="invoice_total_adds_up"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_qualified(self) -> bool:
        """Return whether the invoice carries a registration number (適格請求書)."""
        return bool(self.registration_number)


class Payment(AppendOnlyModel):
    """Money the customer paid for an order, as recorded by the office or a provider."""

    class Method(models.TextChoices):
        BANK_TRANSFER = "bank_transfer", _("Bank transfer")
        CARD = "card", _("Card")
        DAMAGES_SETOFF = "damages_setoff", _("Set off against fault damages")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="+")
    amount = models.PositiveBigIntegerField(_("amount"))
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="JPY")
    method = models.CharField(_("method"), max_length=16, choices=Method.choices)
    received_at = models.DateTimeField(_("received at"))
    provider = models.CharField(_("provider"), max_length=50, blank=True)
    reference = models.CharField(
        _("reference"),
        max_length=200,
        blank=True,
        help_text=_("The bank's transfer reference or the card provider's charge id."),
    )
    fee_bps = models.PositiveIntegerField(_("office fee applied (basis points)"))
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "received_at", "id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            # One transfer into the network's account is one payment: the bank's reference
            # names the transfer, so recording it twice (on any of the network's orders)
            # would count the same yen twice.
            models.UniqueConstraint(
                fields=["network", "reference"],
                condition=Q(method="bank_transfer") & ~Q(reference=""),
                name="payment_bank_reference_once_per_network",
            ),
        ]

    def __str__(self) -> str:
        return f"¥{self.amount:,} for order #{self.order_id}"


class PaymentAttempt(models.Model):
    """One card charge, written (and committed) before the provider is asked.

    Its `idempotency_key` is drawn once and sent on every call for this charge, so the
    provider charges at most once however often it is asked. The ledger is posted from a
    succeeded attempt, exactly once: `payment` is set in the same transaction as the
    posting, under the order's lock. An attempt whose answer was lost stays `in_doubt`
    until the provider's webhook or the sweeper asks the provider and settles it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        IN_DOUBT = "in_doubt", _("In doubt")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payment_attempts")
    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="+")
    amount = models.PositiveBigIntegerField(_("amount"))
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="JPY")
    method = models.CharField(_("method"), max_length=16, choices=Payment.Method.choices)
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, unique=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    provider = models.CharField(_("provider"), max_length=50, blank=True)
    provider_reference = models.CharField(_("provider's reference"), max_length=200, blank=True)
    # Why the provider declined: its message, shown to the payer once, never translated.
    failure = models.CharField(_("failure"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="attempt"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("payment attempt")
        verbose_name_plural = _("payment attempts")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_attempt_positive"),
            models.CheckConstraint(
                condition=Q(payment__isnull=True) | Q(status="succeeded"),
                name="payment_attempt_posted_only_when_succeeded",
            ),
        ]
        indexes = [
            models.Index(
                fields=["status", "updated_at"],
                condition=Q(payment__isnull=True),
                name="payment_attempt_unsettled",
            )
        ]

    def __str__(self) -> str:
        return f"¥{self.amount:,} by {self.method} for order #{self.order_id} ({self.status})"


class Refund(AppendOnlyModel):
    """Money paid back to the customer: from the parties' allocations or from damages."""

    class Source(models.TextChoices):
        ALLOCATIONS = "allocations", _("Reverse the allocations proportionally")
        DAMAGES = "damages", _("Pay out fault damages held for the customer")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="+")
    amount = models.PositiveBigIntegerField(_("amount"))
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="JPY")
    source = models.CharField(
        _("source"), max_length=12, choices=Source.choices, default=Source.ALLOCATIONS
    )
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "recorded_at", "id"]
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive")
        ]

    def __str__(self) -> str:
        return f"Refund ¥{self.amount:,} on order #{self.order_id}"


class Allocation(AppendOnlyModel):
    """One party's part of a payment (positive) or of a refund's reversal (negative).

    The parts of one payment sum exactly to it, and those of one refund to minus it. For a
    member, `fee_withheld` is the part of the office fee attributed to it (for its
    statement); it is not money of its own: the office fee is the `office_fee` row.
    """

    class Party(models.TextChoices):
        OFFICE_FEE = "office_fee", _("Network office fee")
        MEMBER = "member", _("Team member")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="allocations")
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="allocations"
    )
    refund = models.ForeignKey(
        Refund, on_delete=models.PROTECT, null=True, blank=True, related_name="allocations"
    )
    party = models.CharField(_("party"), max_length=12, choices=Party.choices)
    firm = models.ForeignKey(
        Firm, on_delete=models.PROTECT, null=True, blank=True, related_name="allocations"
    )
    amount = models.BigIntegerField(_("amount"))
    fee_withheld = models.BigIntegerField(_("office fee attributed"), default=0)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="JPY")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.CheckConstraint(
                condition=Q(party="office_fee", firm__isnull=True)
                | Q(party="member", firm__isnull=False),
                name="allocation_party_matches_firm",
            ),
            models.CheckConstraint(
                condition=Q(payment__isnull=False, refund__isnull=True, amount__gte=0)
                | Q(payment__isnull=True, refund__isnull=False, amount__lte=0),
                name="allocation_from_payment_or_refund",
            ),
        ]
        indexes = [models.Index(fields=["firm", "order"])]

    def __str__(self) -> str:
        return f"{self.party} {self.firm_id or ''} ¥{self.amount:,}"


class FaultClaim(AppendOnlyModel):
    """Damages for a product fault, charged to the one team member responsible."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="fault_claims")
    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="+")
    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="fault_claims")
    amount = models.PositiveBigIntegerField(_("damages"))
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="JPY")
    description = models.TextField(_("description"))
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    claimed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "claimed_at", "id"]
        verbose_name = _("fault claim")
        verbose_name_plural = _("fault claims")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="fault_claim_amount_positive")
        ]

    def __str__(self) -> str:
        return f"Fault on order #{self.order_id}: {self.firm} ¥{self.amount:,}"


# --- The ledger -------------------------------------------------------------------------


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
        ordering = ["batch", "firm_id"]
        verbose_name = _("payout line")
        verbose_name_plural = _("payout lines")
        constraints = [
            models.UniqueConstraint(fields=["batch", "firm"], name="payout_line_once_per_firm"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payout_line_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.firm} ¥{self.amount:,}"
