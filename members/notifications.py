"""Notifications: written with the change they report, delivered after commit by Celery.

Each (person, kind, subject, channel) is unique in the database, so a retried service
or a task delivered twice can never send the same message twice. Delivery claims a row
with SELECT … FOR UPDATE SKIP LOCKED and marks it sent in the same transaction.
"""

import datetime
import hashlib
import hmac
import json
import logging
import urllib.request
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from core import clock
from core.background import enqueue
from members.locks import notification_pending_claim
from members.models import Firm, Notification, User
from members.notification_texts import notification_texts
from members.selectors import notification_inbox
from members.sms import sms_backend

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
WEBHOOK_TIMEOUT_SECONDS = 5


def channels_for(person: User, *, urgent: bool) -> list[str]:
    """Return the channels a person is reached on: in-app always, others by preference."""
    channels = [Notification.Channel.IN_APP]
    if person.email and person.notify_by_email:
        channels.append(Notification.Channel.EMAIL)
    # Urgent messages go to supervisors' cell phones even if they chose e-mail only.
    if person.sms_number and (person.notify_by_sms or urgent):
        channels.append(Notification.Channel.SMS)
    return channels


def notifications_create(
    *,
    kind: str,
    subject_type: str,
    subject_id: int,
    recipients: Iterable[User],
    context: dict,
    link: str = "",
    urgent: bool = False,
    webhook_firms: Iterable[Firm] = (),
    deliver_on_commit: bool = True,
) -> None:
    """Write the notifications of one event and deliver them once the transaction commits.

    A caller that already sends a task after commit passes `deliver_on_commit=False` and
    has that task deliver them (see brokerage.tasks.route_request): one broker message
    instead of two. The outbox sweeper delivers them either way if no task does.
    """
    rows = notification_rows(
        kind=kind,
        subject_type=subject_type,
        subject_id=subject_id,
        recipients=recipients,
        context=context,
        link=link,
        urgent=urgent,
        webhook_firms=webhook_firms,
    )
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    if deliver_on_commit:
        # If the broker is down, the outbox sweeper delivers them.
        enqueue(
            "members.deliver_notifications",
            kind=kind,
            subject_type=subject_type,
            subject_id=subject_id,
        )


def notifications_create_many(rows: list[Notification]) -> None:
    """Write many events' notifications at once; the outbox sweep delivers them after commit."""
    # Racing sweepers insert in one order, so their unique-index waits cannot deadlock.
    rows = sorted(
        rows,
        key=lambda row: (
            row.recipient_id or 0,
            row.firm_id or 0,
            row.kind,
            row.subject_type,
            row.subject_id,
            row.channel,
        ),
    )
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    if any(row.status == Notification.Status.PENDING for row in rows):
        # If the broker is down, beat sweeps the outbox.
        enqueue("members.sweep_notifications")


def notification_rows(
    *,
    kind: str,
    subject_type: str,
    subject_id: int,
    recipients: Iterable[User],
    context: dict,
    link: str = "",
    urgent: bool = False,
    webhook_firms: Iterable[Firm] = (),
) -> list[Notification]:
    """Return (unsaved) the notifications of one event, in each recipient's language."""
    rows = []
    now = clock.now()
    for person in {person.pk: person for person in recipients if person.is_active}.values():
        title, body = notification_texts(kind, person.language, context)
        for channel in channels_for(person, urgent=urgent):
            in_app = channel == Notification.Channel.IN_APP
            rows.append(
                Notification(
                    recipient=person,
                    kind=kind,
                    subject_type=subject_type,
                    subject_id=subject_id,
                    channel=channel,
                    title=title[:200],
                    body=body,
                    link=link,
                    # The inbox row is itself the delivery.
                    status=Notification.Status.SENT if in_app else Notification.Status.PENDING,
                    sent_at=now if in_app else None,
                )
            )
    for firm in webhook_firms:
        if not firm.webhook_url:
            continue
        title, body = notification_texts(kind, "en", context)
        rows.append(
            Notification(
                firm=firm,
                kind=kind,
                subject_type=subject_type,
                subject_id=subject_id,
                channel=Notification.Channel.WEBHOOK,
                title=title[:200],
                body=body,
                link=link,
                payload={"kind": kind, subject_type: subject_id, **_json_safe(context)},
            )
        )
    return rows


def _json_safe(context: dict) -> dict:
    return json.loads(json.dumps(context, default=str))


def pending_notification_ids(
    *, kind: str | None = None, subject_type: str | None = None, subject_id: int | None = None
) -> list[int]:
    """Return the ids of pending notifications that are due for a delivery attempt."""
    now = clock.now()
    pending = Notification.objects.filter(status=Notification.Status.PENDING).exclude(
        next_attempt_at__gt=now
    )
    if kind is not None:
        pending = pending.filter(kind=kind, subject_type=subject_type, subject_id=subject_id)
    return list(pending.order_by("id").values_list("id", flat=True)[:1000])


def notification_deliver(*, notification_id: int) -> bool:
    """Deliver one pending notification; return True if this call sent it."""
    with transaction.atomic():
        notification = notification_pending_claim(notification_id)
        if notification is None:
            return False
        try:
            send_on_channel(notification)
        except Exception as error:  # noqa: BLE001 - any backend failure is retried later
            notification.attempts += 1
            notification.last_error = f"{error.__class__.__name__}: {error}"[:2000]
            if notification.attempts >= MAX_ATTEMPTS:
                notification.status = Notification.Status.FAILED
            else:
                backoff = datetime.timedelta(seconds=30 * 2 ** (notification.attempts - 1))
                notification.next_attempt_at = clock.now() + backoff
            notification.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            logger.warning("notification %s failed: %s", notification.pk, error)
            return False
        notification.status = Notification.Status.SENT
        notification.sent_at = clock.now()
        notification.attempts += 1
        notification.save(update_fields=["status", "sent_at", "attempts"])
        return True


def absolute_link(link: str) -> str:
    """Return the link as a full URL, for messages read outside the site."""
    return f"{settings.SITE_URL}{link}" if link.startswith("/") else link


def send_on_channel(notification: Notification) -> None:
    channel = notification.channel
    link = absolute_link(notification.link)
    if channel == Notification.Channel.EMAIL:
        body = f"{notification.body}\n\n{link}" if link else notification.body
        send_mail(notification.title, body, None, [notification.recipient.email])
    elif channel == Notification.Channel.SMS:
        sms_backend().send(
            to=str(notification.recipient.sms_number),
            body=f"{notification.title} {link}".strip()[:670],
        )
    elif channel == Notification.Channel.WEBHOOK:
        post_webhook(notification)
    else:
        raise ValueError(f"nothing delivers the {channel} channel")


def webhook_signature(secret: str, body: bytes) -> str:
    """Return the hex HMAC-SHA256 of a webhook body, sent as X-Signature-SHA256."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post_webhook(notification: Notification) -> None:
    firm = notification.firm
    body = json.dumps(
        {
            "id": notification.pk,
            "kind": notification.kind,
            "title": notification.title,
            "body": notification.body,
            "link": absolute_link(notification.link),
            "data": notification.payload,
        },
        ensure_ascii=False,
    ).encode()
    request = urllib.request.Request(
        firm.webhook_url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Notification-Id": str(notification.pk),
            "X-Signature-SHA256": webhook_signature(firm.webhook_secret, body),
        },
    )
    with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:
        if response.status >= 300:
            raise RuntimeError(f"webhook answered {response.status}")


@transaction.atomic
def notifications_mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the person's unread in-app notifications as read (all, or the given ones)."""
    unread = notification_inbox(user).filter(read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=clock.now())
