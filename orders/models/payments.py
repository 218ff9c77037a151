"""What the customer is billed and pays, and how each payment is split: invoices, payments
(and card attempts), refunds, the allocation of money to the team's firms, and fault
claims against a firm. All but the attempts are append-only."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from members.models import Firm, Network
from orders.models.append_only import AppendOnlyModel
from orders.models.orders import Order
from orders.models.requests import CURRENCY_CHOICES


class Invoice(AppendOnlyModel):
    """The qualified invoice (適格請求書) for an order: numbered per network and year.

    The issuer's name and registration number and the order's lines are copied in, so the
    document reads the same later whatever changes in the network's settings.
    """

    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="invoice")
    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField(_("invoice number"), max_length=40)
    issued_at = models.DateTimeField(_("issued at"))
    # Set at issue from the network's term; empty on invoices issued before terms existed.
    due_on = models.DateField(_("due on"), null=True, blank=True)
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
        db_table = "brokerage_invoice"
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
        db_table = "brokerage_payment"
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
        db_table = "brokerage_paymentattempt"
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
        db_table = "brokerage_refund"
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
        db_table = "brokerage_allocation"
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
        db_table = "brokerage_faultclaim"
        ordering = ["order", "claimed_at", "id"]
        verbose_name = _("fault claim")
        verbose_name_plural = _("fault claims")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="fault_claim_amount_positive")
        ]

    def __str__(self) -> str:
        return f"Fault on order #{self.order_id}: {self.firm} ¥{self.amount:,}"


# --- The ledger -------------------------------------------------------------------------
