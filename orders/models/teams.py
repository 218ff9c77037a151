"""An order's team: each firm's part (work package, share, schedule), and the deliveries it
ships with their inspection documents."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from members.models import Firm
from orders.models.orders import Order
from orders.models.requests import StoredUpload
from orders.money import BASIS_POINTS

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
        db_table = "brokerage_teammember"
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
        db_table = "brokerage_delivery"
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
        db_table = "brokerage_inspectiondocument"
        ordering = ["delivery", "uploaded_at", "id"]
        verbose_name = _("inspection document")
        verbose_name_plural = _("inspection documents")
        constraints = [
            models.UniqueConstraint(
                fields=["delivery", "sha256"], name="inspection_document_once_per_delivery"
            )
        ]


# --- Invoices, payments, allocations ----------------------------------------------------
