"""The order made when a customer accepts an estimate, its timeline (append-only events)
and the messages on its request's and its own threads, with their attachments."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Firm, Network
from orders.models.requests import CURRENCY_CHOICES, RFQ, Estimate, StoredUpload


class Order(models.Model):
    """A contract: an accepted estimate, carried out by a team of member firms."""

    class Status(models.TextChoices):
        TEAM_FORMING = "team_forming", _("Team forming")
        IN_PRODUCTION = "in_production", _("In production")
        DELIVERED = "delivered", _("Delivered")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="orders")
    rfq = models.OneToOneField(RFQ, on_delete=models.PROTECT, related_name="order")
    estimate = models.OneToOneField(Estimate, on_delete=models.PROTECT, related_name="order")
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders"
    )
    leader_firm = models.ForeignKey(
        Firm, on_delete=models.PROTECT, related_name="led_orders", verbose_name=_("project leader")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.TEAM_FORMING
    )
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="JPY")
    subtotal = models.PositiveBigIntegerField(_("subtotal"))
    tax = models.PositiveBigIntegerField(_("consumption tax"))
    total = models.PositiveBigIntegerField(_("total"))
    follow_on_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ons",
        verbose_name=_("follow-on of"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.CheckConstraint(
                condition=Q(total=F("subtotal") + F("tax")), name="order_total_adds_up"
            ),
            models.CheckConstraint(
                condition=~Q(follow_on_of=F("id")), name="order_not_own_follow_on"
            ),
        ]
        indexes = [models.Index(fields=["network", "status"])]

    def __str__(self) -> str:
        return f"Order #{self.pk} ({self.rfq.title})"


def event_time():
    """Return now, looked up at each call so that a simulated clock (the replay) applies."""
    return timezone.now()


class EventAppendOnlyError(RuntimeError):
    """An event was about to be changed or deleted: the timeline is the audit trail."""


class EventQuerySet(models.QuerySet):
    """Refuse bulk updates and deletes of events; PostgreSQL refuses them too (0004)."""

    def update(self, **kwargs):
        raise EventAppendOnlyError("Events are append-only: record a new event instead.")

    def delete(self):
        raise EventAppendOnlyError("Events are append-only: record a new event instead.")


class Event(models.Model):
    """An entry of a request's or order's timeline: who did what, when, and why.

    Append-only: the model refuses updates and deletes, and on PostgreSQL a trigger
    (migration 0004) refuses them whoever connects. `at` is the moment of the event;
    it defaults to now and is given explicitly only for records that came in earlier.
    """

    rfq = models.ForeignKey(
        RFQ, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        # Who acted must survive: a person with a history is deactivated, never deleted.
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the platform acted on its own, e.g. a deadline."),
    )
    kind = models.CharField(_("kind"), max_length=50)
    data = models.JSONField(_("data"), default=dict, blank=True)
    at = models.DateTimeField(_("at"), default=event_time, db_index=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(
                condition=Q(rfq__isnull=False) | Q(order__isnull=False),
                name="event_has_subject",
            )
        ]
        indexes = [models.Index(fields=["rfq", "at"]), models.Index(fields=["order", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise EventAppendOnlyError(f"Event #{self.pk} is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise EventAppendOnlyError(f"Event #{self.pk} is append-only.")


class Message(models.Model):
    """A message on one of a request's threads, or of its order's.

    The request's threads: with the customer, and internal among the invited members and
    the office. Once the request is an order, its own: with the customer (the leader speaks
    for the team) and the team's (the team's firms, the leader and the office). Who reads
    each is core.access.messages_readable.
    """

    class Audience(models.TextChoices):
        CUSTOMER = "customer", _("With the customer")
        INTERNAL = "internal", _("Members and office only")
        ORDER_CUSTOMER = "order_customer", _("Order: with the customer")
        TEAM = "team", _("Order: the team and the office")

    rfq = models.ForeignKey(RFQ, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.INTERNAL
    )
    body = models.TextField(_("message"))
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [models.Index(fields=["rfq", "audience", "at"])]

    def __str__(self) -> str:
        return f"{self.author} @ {self.at:%Y-%m-%d %H:%M}"


REQUEST_THREADS = (Message.Audience.CUSTOMER, Message.Audience.INTERNAL)
ORDER_THREADS = (Message.Audience.ORDER_CUSTOMER, Message.Audience.TEAM)


def message_attachment_path(instance: "MessageAttachment", filename: str) -> str:
    # Like drawings: a private, content-addressed name; the sender's name is metadata.
    return (
        f"messages/{instance.message.rfq_id}/{instance.message_id}/"
        f"{instance.sha256[:16]}{instance.extension}"
    )


class MessageAttachment(StoredUpload):
    """A file sent with a message (a drawing, a photo, an inspection sheet), stored privately.

    It is served only to whom may read its message.
    """

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=message_attachment_path, max_length=300)

    class Meta:
        ordering = ["message", "uploaded_at", "id"]
        verbose_name = _("message attachment")
        verbose_name_plural = _("message attachments")
        constraints = [
            models.UniqueConstraint(
                fields=["message", "sha256"], name="message_attachment_once_per_message"
            )
        ]


class ThreadRead(models.Model):
    """How far a person has read one of a request's threads: up to which message.

    Messages after it that someone else wrote are the person's unread ones. It counts by
    message, not by time: two messages of the same moment stay apart.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    rfq = models.ForeignKey(RFQ, on_delete=models.CASCADE, related_name="+")
    audience = models.CharField(_("audience"), max_length=20, choices=Message.Audience.choices)
    last_read_message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(_("read at"), auto_now=True)

    class Meta:
        verbose_name = _("thread read up to")
        verbose_name_plural = _("threads read up to")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "rfq", "audience"], name="thread_read_once_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} #{self.rfq_id} {self.audience}: {self.last_read_message_id}"
