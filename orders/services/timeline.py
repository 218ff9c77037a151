"""Writes of the customer's records that need no workflow: the timeline and threads."""

import datetime
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from core import access
from members.models import User
from members.notifications import notifications_create
from members.selectors import firm_people
from orders.models import RFQ, Event, Message, Order, ThreadRead

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
def message_post(*, rfq: RFQ, author: User, body: str, audience: str) -> Message:
    """Post a message on a request's thread and record it on the timeline."""
    if not access.may_write_thread(author, rfq, audience):
        raise PermissionDenied(_("You may not write on this thread."))
    body = body.strip()
    if not body:
        raise ValueError("a message needs some text")
    message = Message.objects.create(rfq=rfq, author=author, body=body, audience=audience)
    event_record(
        kind="message.posted",
        actor=author,
        rfq=rfq,
        data={"message": message.pk, "audience": audience},
    )
    message_announce(message=message)
    return message


def message_announce(*, message: Message) -> None:
    """Tell everyone who may read a new message, but its author (in the caller's transaction).

    That is the network's office and the firms taking part that may read the thread
    (core.access.message_reader_firm_ids) and, on the thread with the customer, the
    customer. A confidential request's message is not quoted: e-mail and SMS leave the site.
    """
    rfq, author = message.rfq, message.author
    readers = firm_people(access.message_reader_firm_ids(rfq, message.audience, author))
    if message.audience == Message.Audience.CUSTOMER:
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
        link=reverse("pages:request", args=[rfq.pk]) + f"#thread-{message.audience}",
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
