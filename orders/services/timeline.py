"""Writes of the customer's records that need no workflow: the timeline and threads."""

import datetime
from collections.abc import Mapping, Sequence

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from core import access
from members.models import User
from members.notifications import notifications_create
from members.selectors import firm_people
from orders.drawings import DrawingRejected, inspect_drawing
from orders.models import ORDER_THREADS, RFQ, Event, Message, MessageAttachment, Order, ThreadRead

# How much of a message its notification quotes (a confidential request's: nothing).
EXCERPT_LENGTH = 140


def event_record(
    *,
    kind: str,
    actor: User | None,
    rfq: RFQ | None = None,
    order: Order | None = None,
    data: dict | None = None,
    at: datetime.datetime | None = None,
) -> Event:
    """Append an event to a request's or order's timeline (in the caller's transaction).

    `at` is for records that came in earlier (imports, demo data); events are never
    edited afterwards, so their time is set here or not at all.
    """
    if rfq is None and order is None:
        raise ValueError("an event belongs to a request or an order")
    return Event.objects.create(
        kind=kind,
        actor=actor if actor is not None and actor.is_authenticated else None,
        rfq=rfq,
        order=order,
        data=data or {},
        **({"at": at} if at is not None else {}),
    )


@transaction.atomic
def message_post(
    *, rfq: RFQ, author: User, body: str, audience: str, attachments: Sequence = ()
) -> Message:
    """Post a message on a request's (or its order's) thread and record it on the timeline.

    Its attachments (drawings, photos, inspection sheets) are checked by their content as
    drawings are, and kept privately beside it; a message is some text, files, or both.
    """
    if not access.may_write_thread(author, rfq, audience):
        raise PermissionDenied(_("You may not write on this thread."))
    body = body.strip()
    if not body and not attachments:
        raise ValueError("a message needs some text or a file")
    message = Message.objects.create(rfq=rfq, author=author, body=body, audience=audience)
    for uploaded in attachments:
        facts = inspect_drawing(uploaded)
        if message.attachments.filter(sha256=facts["sha256"]).exists():
            raise DrawingRejected(
                _("“%(name)s” was chosen twice.") % {"name": facts["original_name"]}
            )
        attachment = MessageAttachment(message=message, uploaded_by=author, **facts)
        attachment.file.save(facts["original_name"], uploaded, save=False)
        attachment.save()
    event_record(
        kind="message.posted",
        actor=author,
        rfq=rfq,
        data={"message": message.pk, "audience": audience},
    )
    message_announce(message=message)
    return message


def thread_link(rfq: RFQ, audience: str) -> str:
    """Return the page showing one of a request's threads (an order's on the order page)."""
    if audience in ORDER_THREADS:
        order_id = Order.objects.filter(rfq_id=rfq.pk).values_list("pk", flat=True).get()
        return reverse("pages:order", args=[order_id]) + f"#thread-{audience}"
    return reverse("pages:request", args=[rfq.pk]) + f"#thread-{audience}"


def message_announce(*, message: Message) -> None:
    """Tell everyone who may read a new message, but its author (in the caller's transaction).

    That is the network's office and the firms taking part that may read the thread
    (core.access.message_reader_firm_ids) and, on the thread with the customer, the
    customer. A confidential request's message is not quoted: e-mail and SMS leave the site.
    """
    rfq, author = message.rfq, message.author
    readers = firm_people(access.message_reader_firm_ids(rfq, message.audience, author))
    if message.audience in (Message.Audience.CUSTOMER, Message.Audience.ORDER_CUSTOMER):
        readers.append(rfq.customer)
    context = {
        "rfq": rfq.pk,
        "title": rfq.title,
        "author": author.get_full_name() or author.get_username(),
    }
    if not rfq.confidential:
        text = " ".join(message.body.split())
        too_long = len(text) > EXCERPT_LENGTH
        context["excerpt"] = text[: EXCERPT_LENGTH - 1] + "…" if too_long else text
    notifications_create(
        kind="message.posted_confidential" if rfq.confidential else "message.posted",
        subject_type="message",
        subject_id=message.pk,
        recipients=[person for person in readers if person.pk != author.pk],
        context=context,
        link=thread_link(rfq, message.audience),
    )


def threads_mark_read(*, user: User, rfq: RFQ, read_up_to: Mapping[str, int]) -> None:
    """Record that the person has read these threads of a request up to these messages.

    The request page passes the newest message of each thread it showed them with
    something new; the API, the newest they may read. What comes after is unread.
    Nothing to mark touches nothing, not even a transaction: most page views are such.
    """
    unknown = set(read_up_to) - set(Message.Audience.values)
    if unknown:
        raise ValueError(f"no such thread: {', '.join(sorted(unknown))}")
    if not read_up_to:
        return
    with transaction.atomic():
        ThreadRead.objects.bulk_create(
            [
                ThreadRead(user=user, rfq=rfq, audience=audience, last_read_message_id=message_id)
                for audience, message_id in sorted(read_up_to.items())
            ],
            update_conflicts=True,
            unique_fields=["user", "rfq", "audience"],
            update_fields=["last_read_message", "read_at"],
        )
