from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from members.models import Firm, NetworkGroup
from orders.models import RFQ
from orders.money import consumption_tax


class Heartbeat(models.Model):
    """The last time a background process proved it was alive, shown by /healthz."""

    name = models.CharField(_("process"), max_length=50, unique=True)
    at = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return f"{self.name} {self.at:%Y-%m-%d %H:%M:%S}"


class Invitation(models.Model):
    """A request routed to one firm, with why it was chosen and what it answered."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        VIEWED = "viewed", _("Viewed")
        CAN_DO = "can_do", _("Can do")
        CANNOT_DO = "cannot_do", _("Cannot do")
        NO_RESPONSE = "no_response", _("No response")
        # The administrative board decided before this member voted: its vote is closed.
        NOT_NEEDED = "not_needed", _("Not needed")

    ANSWERED = (Status.CAN_DO, Status.CANNOT_DO)
    UNANSWERED = (Status.PENDING, Status.VIEWED)

    class Purpose(models.TextChoices):
        ANSWER = "answer", _("Answer can do / cannot do")
        BOARD = "board", _("Administrative board decision")
        PLANNING = "planning", _("Planning meeting")
        GROUP = "group", _("Coordinator group proposal")

    rfq = models.ForeignKey(RFQ, on_delete=models.CASCADE, related_name="invitations")
    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="invitations")
    purpose = models.CharField(
        _("purpose"), max_length=10, choices=Purpose.choices, default=Purpose.ANSWER
    )
    rank = models.PositiveIntegerField(_("rank"), default=0)
    # The invitations sent together: the routing is round 1; a later step (the board
    # accepting, the planning meeting) sends the next round, with its own answer window.
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    # When its round's answers are due (kept from the round's deadline when the round is
    # sent), so that a firm's inbox sorts by an indexed column, not a subquery per row.
    answer_due_at = models.DateTimeField(_("answer due at"), null=True, blank=True)
    reason = models.JSONField(_("why this firm"), default=dict)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    price = models.PositiveBigIntegerField(_("price"), null=True, blank=True)
    lead_time_days = models.PositiveIntegerField(_("lead time (days)"), null=True, blank=True)
    # The firm's note to the office and the leader (how it would do it, who helps): never
    # shown to the customer. What the customer may read of the firm's work is
    # `line_description`, which the estimate's suggested line takes.
    note = models.TextField(_("internal note"), blank=True)
    line_description = models.CharField(_("line for the customer"), max_length=300, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    viewed_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["rfq", "rank", "id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(fields=["rfq", "firm"], name="invitation_once_per_firm"),
            models.CheckConstraint(
                condition=~Q(status__in=["can_do", "cannot_do"]) | Q(answered_at__isnull=False),
                name="invitation_answer_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["firm", "status", "-created_at"]),
            models.Index(fields=["firm", "answer_due_at"], name="invitation_firm_due"),
        ]

    def __str__(self) -> str:
        return f"{self.rfq} → {self.firm}"


class BoardDecision(models.Model):
    """An administrative member's decision to accept or decline a request."""

    rfq = models.ForeignKey(RFQ, on_delete=models.CASCADE, related_name="board_decisions")
    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="+")
    accept = models.BooleanField(_("accept"))
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["rfq", "at"]
        verbose_name = _("board decision")
        verbose_name_plural = _("board decisions")
        constraints = [
            models.UniqueConstraint(fields=["rfq", "firm"], name="board_decision_once_per_firm")
        ]


class Interview(models.Model):
    """The face-to-face interview with the customer that opens a consultation."""

    rfq = models.OneToOneField(RFQ, on_delete=models.CASCADE, related_name="interview")
    scheduled_at = models.DateTimeField(_("scheduled at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    held_at = models.DateTimeField(_("held at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")


class PlanningMeeting(models.Model):
    """The meeting of stakeholder and member-cluster firms that plans a consultation."""

    rfq = models.OneToOneField(RFQ, on_delete=models.CASCADE, related_name="planning_meeting")
    scheduled_at = models.DateTimeField(_("scheduled at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    held_at = models.DateTimeField(_("held at"), null=True, blank=True)

    class Meta:
        verbose_name = _("planning meeting")
        verbose_name_plural = _("planning meetings")


class PhaseAssignment(models.Model):
    """The firm selected for one phase of a consultation project."""

    class Phase(models.TextChoices):
        PLANNING = "planning", _("Planning")
        DESIGN = "design", _("Design")
        PROTOTYPE = "prototype", _("Prototype")
        PRODUCTION = "production", _("Production")
        COMMERCIALIZATION = "commercialization", _("Commercialization")

    rfq = models.ForeignKey(RFQ, on_delete=models.CASCADE, related_name="phase_assignments")
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices)
    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["rfq", "id"]
        verbose_name = _("phase assignment")
        verbose_name_plural = _("phase assignments")
        constraints = [models.UniqueConstraint(fields=["rfq", "phase"], name="phase_assigned_once")]


class GroupProposal(models.Model):
    """A coordinator group's proposal for a request, shown beside the other groups'."""

    class Status(models.TextChoices):
        PREPARING = "preparing", _("Preparing")
        SUBMITTED = "submitted", _("Submitted")
        CHOSEN = "chosen", _("Chosen by the customer")
        NOT_CHOSEN = "not_chosen", _("Not chosen")

    rfq = models.ForeignKey(RFQ, on_delete=models.CASCADE, related_name="group_proposals")
    group = models.ForeignKey(NetworkGroup, on_delete=models.PROTECT, related_name="proposals")
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PREPARING
    )
    price = models.PositiveBigIntegerField(_("price"), null=True, blank=True)
    lead_time_days = models.PositiveIntegerField(_("lead time (days)"), null=True, blank=True)
    approach = models.TextField(_("approach"), blank=True)
    team_firm_ids = models.JSONField(_("team"), default=list, blank=True)
    reason = models.JSONField(_("why this group"), default=dict)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["rfq", "price", "id"]
        verbose_name = _("group proposal")
        verbose_name_plural = _("group proposals")
        constraints = [
            models.UniqueConstraint(fields=["rfq", "group"], name="proposal_once_per_group"),
            models.UniqueConstraint(
                fields=["rfq"], condition=Q(status="chosen"), name="proposal_one_chosen"
            ),
            models.CheckConstraint(
                condition=Q(status="preparing")
                | (Q(price__isnull=False) & Q(lead_time_days__isnull=False)),
                name="proposal_submitted_has_terms",
            ),
        ]

    @property
    def tax(self) -> int | None:
        """The consumption tax on the price, as the estimate built from it will charge it."""
        return None if self.price is None else consumption_tax(self.price)

    @property
    def total(self) -> int | None:
        """The price with its tax: what the customer would pay."""
        return None if self.price is None else self.price + self.tax


class Deadline(models.Model):
    """A moment in a request's clock that must fire exactly once, unless cancelled."""

    class Kind(models.TextChoices):
        MEMBER_RESPONSE = "member_response", _("Members' answers due")
        REMINDER = "reminder", _("Reminder before the estimate is due")
        # The promise of the request's stage (the estimate, or Rodan21's interview and
        # planning meeting) is due: its breach alerts the office and tells the customer.
        ESTIMATE = "estimate", _("Promise due")
        # A request in the office's triage closes as no bid if the office has not acted.
        TRIAGE = "triage", _("Office triage closes")

    class Stage(models.TextChoices):
        INTERVIEW = "interview", _("Interview")
        PLANNING = "planning", _("Planning meeting")
        ESTIMATE = "estimate", _("Estimate")

    rfq = models.ForeignKey(RFQ, on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # The stage of the network's policy whose promise (and reminder) it times.
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default="estimate")
    # The invitation round whose answers (and reminder) it times; the estimate is round 1's.
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    due_at = models.DateTimeField(_("due at"))
    fired_at = models.DateTimeField(_("fired at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        constraints = [
            models.UniqueConstraint(
                fields=["rfq", "kind", "round", "stage"],
                name="deadline_once_per_kind_round_and_stage",
            ),
            models.CheckConstraint(
                condition=Q(fired_at__isnull=True) | Q(cancelled_at__isnull=True),
                name="deadline_fired_or_cancelled",
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=Q(fired_at__isnull=True, cancelled_at__isnull=True),
                name="deadline_pending_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.rfq_id} {self.kind} {self.due_at:%Y-%m-%d %H:%M}"
