"""What every workflow step needs: its status, links, and its deadlines cancelled when
it moves the request on."""

from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext as _

from brokerage.models import Deadline
from core import clock
from core.errors import InvalidTransition
from members.notifications import notifications_create
from members.selectors import office_people
from orders.models import RFQ


def require_status(rfq: RFQ, *allowed: str, action: str) -> None:
    if rfq.status not in allowed:
        raise InvalidTransition(
            _("Cannot %(action)s: the request is %(status)s.")
            % {"action": action, "status": rfq.get_status_display().lower()}
        )


def deadlines_cancel(
    *, rfq: RFQ, kinds: list[str] | None = None, round_number: int | None = None
) -> int:
    """Cancel a request's unfired deadlines (all, or the given kinds, of one round)."""
    pending = Deadline.objects.filter(rfq=rfq, fired_at__isnull=True, cancelled_at__isnull=True)
    if kinds is not None:
        pending = pending.filter(kind__in=kinds)
    if round_number is not None:
        pending = pending.filter(round=round_number)
    return pending.update(cancelled_at=clock.now())


def invitation_next_round(rfq: RFQ) -> int:
    """Return the number of the request's next invitation round (the routing is round 1,
    even when it invited nobody)."""
    latest = rfq.invitations.aggregate(latest=Max("round"))["latest"]
    return (latest or 1) + 1


def rfq_link(rfq: RFQ) -> str:
    """Return the request's page: each person sees it as their role (a firm, its invitation)."""
    return reverse("pages:request", args=[rfq.pk])


def rfq_context(rfq: RFQ) -> dict:
    """Return what notifications about a request may say (never confidential details)."""
    return {
        "rfq": rfq.pk,
        "title": rfq.title,
        "due": rfq.estimate_due_at.astimezone(rfq.network.tzinfo).strftime("%Y-%m-%d %H:%M %Z")
        if rfq.estimate_due_at
        else "",
        "network": rfq.network.slug,
    }


def customer_and_office_tell(
    *, rfq: RFQ, kind: str, context: dict, subject: tuple[str, int] | None = None
) -> None:
    """Tell the request's customer (`kind`) and its network's office (`<kind>_office`)
    the same news, each in their words (in the caller's transaction)."""
    subject_type, subject_id = subject or ("rfq", rfq.pk)
    for notice, recipients in (
        (kind, [rfq.customer]),
        (f"{kind}_office", office_people(rfq.network)),
    ):
        notifications_create(
            kind=notice,
            subject_type=subject_type,
            subject_id=subject_id,
            recipients=recipients,
            context=context,
            link=rfq_link(rfq),
        )
