"""A customer's request for a prototype: what it asks for (requirements by capability and
grade), its drawings, and the estimates made for it."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.expressions import OrderBy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from capabilities.models import MAX_GRADE, MIN_GRADE, Capability
from members.models import Firm, Network

CURRENCY_CHOICES = [("JPY", "JPY")]


class RFQStatus(models.TextChoices):
    """Where a request stands, from draft to a decided estimate."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ROUTED = "routed", _("Routed to members")
    # No member firm covers it: the network's office decides what happens next.
    TRIAGE = "triage", _("Office triage")
    INTERVIEW = "interview", _("Interview")
    PLANNING = "planning", _("Planning meeting")
    LEADER_DESIGNATED = "leader_designated", _("Leader designated")
    ESTIMATE_SENT = "estimate_sent", _("Estimate sent")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")
    NO_BID = "no_bid", _("No bid")


OPEN_STATUSES = (
    RFQStatus.SUBMITTED,
    RFQStatus.ROUTED,
    RFQStatus.TRIAGE,
    RFQStatus.INTERVIEW,
    RFQStatus.PLANNING,
    RFQStatus.LEADER_DESIGNATED,
    RFQStatus.ESTIMATE_SENT,
)
# The estimate clock runs until an estimate is sent; afterwards the customer has the ball.
CLOCK_STATUSES = (
    RFQStatus.SUBMITTED,
    RFQStatus.ROUTED,
    RFQStatus.TRIAGE,
    RFQStatus.INTERVIEW,
    RFQStatus.PLANNING,
    RFQStatus.LEADER_DESIGNATED,
)
# Whether a request's estimate clock runs: the office's queue puts these first.
CLOCK_RUNNING = Case(
    When(status__in=CLOCK_STATUSES, then=Value(True)),
    default=Value(False),
    output_field=models.BooleanField(),
)


class RFQ(models.Model):
    """A customer's request for quotation, from draft to a decided estimate."""

    class Kind(models.TextChoices):
        PROTOTYPE = "prototype", _("Prototype")
        DESIGN = "design", _("Design or redesign")
        PRODUCTION = "production", _("Production")
        FINISHING = "finishing", _("Polishing or finishing")
        CONSULTATION = "consultation", _("Consultation")

    class Channel(models.TextChoices):
        WEB = "web", _("Web")
        FAX = "fax", _("Fax")
        PHONE = "phone", _("Phone")
        EMAIL = "email", pgettext_lazy("how a request arrived", "E-mail")

    class Urgency(models.TextChoices):
        NORMAL = "normal", _("Normal")
        URGENT = "urgent", _("Urgent")

    Status = RFQStatus
    OPEN_STATUSES = OPEN_STATUSES
    CLOCK_STATUSES = CLOCK_STATUSES

    class LeaderReason(models.TextChoices):
        DISCUSSION = "discussion", _("Chosen in discussion")
        URGENT = "urgent", _("Designated by the office (urgent)")
        CUSTOMER_CHOICE = "customer_choice", _("The customer's choice")

    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="rfqs")
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="rfqs"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The office staff who keyed in a request received by fax, phone or e-mail."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.PROTOTYPE)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    material = models.CharField(_("material"), max_length=200, blank=True)
    desired_date = models.DateField(_("desired delivery date"), null=True, blank=True)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="JPY")
    budget_min = models.PositiveBigIntegerField(_("budget from"), null=True, blank=True)
    budget_max = models.PositiveBigIntegerField(_("budget up to"), null=True, blank=True)
    confidential = models.BooleanField(_("confidential"), default=False)
    channel = models.CharField(
        _("channel"), max_length=8, choices=Channel.choices, default=Channel.WEB
    )
    urgency = models.CharField(
        _("urgency"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    estimate_due_at = models.DateTimeField(_("estimate due at"), null=True, blank=True)
    leader_firm = models.ForeignKey(
        Firm,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_rfqs",
        verbose_name=_("project leader"),
    )
    leader_reason = models.CharField(
        _("why this leader"), max_length=16, choices=LeaderReason.choices, blank=True
    )
    follow_on_of = models.ForeignKey(
        "Order",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_on_rfqs",
        verbose_name=_("follow-on of order"),
    )
    idempotency_key = models.CharField(
        max_length=64,
        blank=True,
        # Unique per (caller, endpoint) where the key is claimed (brokerage's idempotent
        # requests), not per customer: an office and its customer may use the same key.
        help_text=_("The Idempotency-Key the request was submitted with, kept as a mark."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="rfq_quantity_positive"),
            models.CheckConstraint(
                condition=Q(budget_min__isnull=True)
                | Q(budget_max__isnull=True)
                | Q(budget_min__lte=F("budget_max")),
                name="rfq_budget_ordered",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="rfq_submitted_has_time",
            ),
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True)
                | Q(estimate_due_at__isnull=True)
                | Q(estimate_due_at__gte=F("submitted_at")),
                name="rfq_due_after_submission",
            ),
            models.CheckConstraint(
                condition=Q(leader_firm__isnull=True) | ~Q(leader_reason=""),
                name="rfq_leader_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["network", "status", "estimate_due_at"]),
            models.Index(fields=["customer", "-created_at"]),
            # Lists of requests, newest first: a page reads the newest rows in order and
            # keeps those the person may see, instead of sorting every visible request.
            models.Index(fields=["-created_at", "-id"], name="rfq_newest_first_idx"),
            models.Index(fields=["estimate_due_at", "id"], name="rfq_due_first_idx"),
            # The office's queue, in its order: a page reads its rows from here instead of
            # sorting every open request of the network.
            models.Index(
                F("network"),
                OrderBy(CLOCK_RUNNING, descending=True),
                F("estimate_due_at"),
                F("id"),
                condition=Q(status__in=OPEN_STATUSES),
                name="rfq_office_queue_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class RFQRequirement(models.Model):
    """A capability a request needs, at a minimum grade."""

    rfq = models.ForeignKey(RFQ, on_delete=models.CASCADE, related_name="requirements")
    capability = models.ForeignKey(Capability, on_delete=models.PROTECT, related_name="+")
    min_grade = models.PositiveSmallIntegerField(
        _("minimum grade"),
        default=MIN_GRADE,
        validators=[MinValueValidator(MIN_GRADE), MaxValueValidator(MAX_GRADE)],
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["rfq", "capability__code"]
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        constraints = [
            models.UniqueConstraint(fields=["rfq", "capability"], name="requirement_once"),
            models.CheckConstraint(
                condition=Q(min_grade__gte=MIN_GRADE) & Q(min_grade__lte=MAX_GRADE),
                name="requirement_grade_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.capability.code} ≥ {self.min_grade}"


def drawing_path(instance: "Drawing", filename: str) -> str:
    # The stored name is never the customer's: the original is kept only as metadata.
    return f"drawings/{instance.rfq_id}/{instance.sha256[:16]}{instance.extension}"


class StoredUpload(models.Model):
    """A file someone uploaded, kept privately under a name of ours.

    What the file was called and what its content proved to be (orders.drawings checks
    it) are kept beside it; the concrete model adds what it belongs to and the `file`,
    whose stored name is built from the digest and extension.
    """

    original_name = models.CharField(_("file name"), max_length=255)
    extension = models.CharField(max_length=10)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name


class Drawing(StoredUpload):
    """A drawing or document attached to a request, stored privately."""

    rfq = models.ForeignKey(RFQ, on_delete=models.CASCADE, related_name="drawings")
    file = models.FileField(upload_to=drawing_path, max_length=300)

    class Meta:
        ordering = ["rfq", "uploaded_at"]
        verbose_name = _("drawing")
        verbose_name_plural = _("drawings")
        constraints = [
            models.UniqueConstraint(fields=["rfq", "sha256"], name="drawing_once_per_rfq")
        ]


class Estimate(models.Model):
    """A version of the estimate sent to the customer; consumption tax once per document."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        SUPERSEDED = "superseded", _("Superseded")
        EXPIRED = "expired", _("Expired")

    rfq = models.ForeignKey(RFQ, on_delete=models.CASCADE, related_name="estimates")
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="JPY")
    subtotal = models.PositiveBigIntegerField(_("subtotal"))
    tax_rate_bps = models.PositiveIntegerField(
        _("consumption tax rate (basis points)"), default=1000
    )
    tax = models.PositiveBigIntegerField(_("consumption tax"))
    total = models.PositiveBigIntegerField(_("total"))
    lead_time_days = models.PositiveIntegerField(_("lead time (days)"))
    valid_until = models.DateField(_("valid until"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)

    class Meta:
        ordering = ["rfq", "-version"]
        verbose_name = _("estimate")
        verbose_name_plural = _("estimates")
        constraints = [
            models.UniqueConstraint(fields=["rfq", "version"], name="estimate_version_unique"),
            models.UniqueConstraint(
                fields=["rfq"],
                condition=Q(status="accepted"),
                name="estimate_one_accepted_per_rfq",
            ),
            models.CheckConstraint(
                condition=Q(total=F("subtotal") + F("tax")), name="estimate_total_adds_up"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(sent_at__isnull=False),
                name="estimate_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rfq} v{self.version}"


class EstimateLine(models.Model):
    """A work package of an estimate and the firm that would do it."""

    estimate = models.ForeignKey(Estimate, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="+")
    work_package = models.CharField(_("work package"), max_length=100, blank=True)
    description = models.CharField(_("description"), max_length=300)
    amount = models.PositiveBigIntegerField(_("amount"))

    class Meta:
        ordering = ["estimate", "position", "id"]
        verbose_name = _("estimate line")
        verbose_name_plural = _("estimate lines")

    def __str__(self) -> str:
        return f"{self.description}: {self.amount}"
