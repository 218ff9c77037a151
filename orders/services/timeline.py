"""Writes of the customer's records that need no workflow: the timeline and threads."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from core import access
from members.models import User
from orders.models import RFQ, Event, Message, Order


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
    return message
