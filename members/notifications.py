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
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from core import clock
from core.background import enqueue
from members.locks import notification_pending_claim
from members.models import Firm, Notification, User
from members.notification_preferences import (
    channels_for,
    notice_is_urgent,
    person_time_zone,
    preferences_of,
    quiet_hours_end_after,
)
from members.notification_texts import notification_texts
from members.selectors import notification_inbox
from members.sms import sms_backend

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
WEBHOOK_TIMEOUT_SECONDS = 5


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
    """Return (unsaved) the notifications of one event, in each recipient's language.

    Each person gets the channels they chose for the kind's topic; an urgent notice also
    their cell phone, at once. Other e-mail and SMS notices that fall in a person's quiet
    hours wait (pending) until they end.
    """
    rows = []
    now = clock.now()
    people = {person.pk: person for person in recipients if person.is_active}
    preferences = preferences_of(people.values())
    urgent = notice_is_urgent(kind=kind, context=context, urgent=urgent)
    for person in people.values():
        title, body = notification_texts(kind, person.language, context)
        chosen = preferences.get(person.pk)
        quiet_until = None
        if not urgent and chosen is not None and chosen.quiet_hours_start is not None:
            quiet_until = quiet_hours_end_after(chosen, zone=person_time_zone(person), moment=now)
        for channel in channels_for(person, kind=kind, urgent=urgent, preferences=chosen):
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
                    next_attempt_at=None if in_app else quiet_until,
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


def notification_retry_at(*, notification_id: int) -> datetime.datetime | None:
    """Return when a pending notification is next tried, if that is still to come."""
    return (
        Notification.objects.filter(
            pk=notification_id,
            status=Notification.Status.PENDING,
            next_attempt_at__gt=clock.now(),
        )
        .values_list("next_attempt_at", flat=True)
        .first()
    )


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
                backoff = datetime.timedelta(
                    seconds=settings.NOTIFICATION_RETRY_SECONDS * 2 ** (notification.attempts - 1)
                )
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
        send_email(notification, link)
    elif channel == Notification.Channel.SMS:
        sms_backend().send(
            to=str(notification.recipient.sms_number),
            body=f"{notification.title} {link}".strip()[:670],
            reference=f"notification-{notification.pk}",
        )
    elif channel == Notification.Channel.WEBHOOK:
        post_webhook(notification)
    else:
        raise ValueError(f"nothing delivers the {channel} channel")


def send_email(notification: Notification, link: str) -> None:
    """Send the e-mail as plain text with the page's link, and the same as HTML."""
    person = notification.recipient
    context = {
        "title": notification.title,
        "body": notification.body,
        "link": link,
        "language": person.language,
    }
    with translation.override(person.language):
        text = render_to_string("members/email/notification.txt", context)
        html = render_to_string("members/email/notification.html", context)
    message = EmailMultiAlternatives(
        subject=notification.title,
        body=text,
        to=[person.email],
        headers={"X-Notification-Id": str(notification.pk)},
    )
    message.attach_alternative(html, "text/html")
    message.send()


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
