"""Reads of requests and their workflow, scoped to what the asking person may see."""

from collections.abc import Collection

from django.db.models import Q, QuerySet
from django.http import Http404

from brokerage.models import GroupProposal, Invitation, Notification
from brokerage.roles import firm_may_see_confidential
from members.models import Membership, User
from orders.models import RFQ, Estimate, Event, Message

# What the customer's timeline shows; the members' answers and prices stay internal.
CUSTOMER_EVENT_KINDS = {
    "rfq.submitted",
    "rfq.no_bid",
    "rfq.cancelled",
    "interview.scheduled",
    "interview.recorded",
    "leader.designated",
    "proposal.chosen",
    "estimate.sent",
    "estimate.accepted",
    "estimate.declined",
    "order.created",
}


def office_network_ids(user: User) -> list[int]:
    if not user.is_authenticated or user.firm_id is None:
        return []
    return list(
        Membership.objects.filter(
            firm_id=user.firm_id, role=Membership.Role.OFFICE, is_active=True
        ).values_list("network_id", flat=True)
    )


def rfq_list_for_user(user: User) -> QuerySet[RFQ]:
    """Return the requests a person may see: their own, their office's, their firm's.

    Each reason alone is an index lookup, but ORed together in one condition they make
    PostgreSQL read every request. So the few requests the person takes part in (as the
    customer, through an invitation of their firm, or as its leader) are gathered as one
    set of ids, and only the office's networks, whose requests are many, stay a plain
    condition that the newest-first index serves row by row.
    """
    # A list shows each request's network; joining every visible request to its customer
    # and leader as well, before sorting them, cost more than the rest of a member's page.
    requests = RFQ.objects.select_related("network")
    if not user.is_authenticated:
        return requests.none()
    if user.is_staff:
        return requests
    if user.firm_id is None:
        return requests.filter(customer=user)
    taking_part = (
        RFQ.objects.filter(customer=user)
        .order_by()
        .values("pk")
        .union(
            Invitation.objects.filter(firm_id=user.firm_id).order_by().values("rfq_id"),
            RFQ.objects.filter(leader_firm_id=user.firm_id).order_by().values("pk"),
            all=True,
        )
    )
    return requests.filter(Q(pk__in=taking_part) | Q(network_id__in=office_network_ids(user)))


def rfq_get_for_user(user: User, rfq_id: int) -> RFQ:
    """Return one visible request, or 404 whether it is absent or someone else's."""
    rfq = (
        rfq_list_for_user(user).select_related("customer", "leader_firm").filter(pk=rfq_id).first()
    )
    if rfq is None:
        raise Http404("No such request.")
    return rfq


def rfq_role(user: User, rfq: RFQ, *, office_networks: Collection[int] | None = None) -> str:
    """Return how a person who may see the request stands to it.

    A caller deciding for many requests passes `office_networks` (office_network_ids of
    the user), read once, so that a list costs no query per row.
    """
    if user.pk == rfq.customer_id:
        return "customer"
    if user.is_staff:
        return "staff"
    if user.firm_id is not None:
        if office_networks is None:
            office_networks = office_network_ids(user)
        if rfq.network_id in office_networks:
            return "office"
    return "member"


def rfq_details_visible(
    user: User, rfq: RFQ, *, office_networks: Collection[int] | None = None
) -> bool:
    """Return whether the person may read a confidential request's details and drawings."""
    if not rfq.confidential or rfq_role(user, rfq, office_networks=office_networks) != "member":
        return True
    return firm_may_see_confidential(user.firm_id, rfq.network)


def thread_writable(user: User, rfq: RFQ, audience: str) -> bool:
    """Return whether the person may write on one of a request's threads.

    The customer writes to the network; a member firm internally, its leader to both;
    a member firm that may not read a confidential request's details writes on neither.
    """
    role = rfq_role(user, rfq)
    if audience not in Message.Audience.values:
        return False
    if role in ("office", "staff"):
        return True
    if role == "customer":
        return audience == Message.Audience.CUSTOMER
    if not rfq_details_visible(user, rfq):
        return False
    return audience == Message.Audience.INTERNAL or user.firm_id == rfq.leader_firm_id


def invitation_list_for_rfq(user: User, rfq: RFQ) -> QuerySet[Invitation]:
    """The office sees every invitation of a request; an invited firm only its own."""
    invitations = Invitation.objects.filter(rfq=rfq).select_related("firm")
    role = rfq_role(user, rfq)
    if role in ("office", "staff"):
        return invitations
    if role == "member":
        return invitations.filter(firm_id=user.firm_id)
    return invitations.none()


def invitation_list_for_firm(user: User) -> QuerySet[Invitation]:
    """Return the invitations addressed to the person's firm, newest first."""
    if not user.is_authenticated or user.firm_id is None:
        return Invitation.objects.none()
    return (
        Invitation.objects.filter(firm_id=user.firm_id)
        .select_related("rfq", "rfq__network", "firm")
        .order_by("-created_at", "-id")
    )


def estimate_list_for_rfq(user: User, rfq: RFQ) -> QuerySet[Estimate]:
    """Drafts are the composer's; the customer sees what was sent."""
    estimates = Estimate.objects.filter(rfq=rfq).prefetch_related("lines", "lines__firm")
    role = rfq_role(user, rfq)
    if role in ("office", "staff") or (user.firm_id and user.firm_id == rfq.leader_firm_id):
        return estimates
    if role == "customer":
        return estimates.exclude(status=Estimate.Status.DRAFT)
    return estimates.none()


def estimate_get_for_user(user: User, estimate_id: int) -> Estimate:
    estimate = Estimate.objects.select_related("rfq").filter(pk=estimate_id).first()
    if estimate is None:
        raise Http404("No such estimate.")
    rfq = rfq_get_for_user(user, estimate.rfq_id)
    if not estimate_list_for_rfq(user, rfq).filter(pk=estimate_id).exists():
        raise Http404("No such estimate.")
    return estimate


def event_list_for_rfq(user: User, rfq: RFQ) -> QuerySet[Event]:
    """The customer's timeline leaves out the members' internal steps.

    A member firm without the NDA a confidential request needs does not see which
    drawings were attached either: their names are part of the details.
    """
    events = Event.objects.filter(rfq=rfq).select_related("actor")
    if rfq_role(user, rfq) == "customer":
        return events.filter(kind__in=CUSTOMER_EVENT_KINDS)
    if rfq_role(user, rfq) == "member":
        events = events.exclude(
            Q(kind="invitation.answered") & ~Q(data__firm=user.firm_id)
        ).exclude(kind="board.decided", rfq__network__policy="competing_groups")
        if not rfq_details_visible(user, rfq):
            events = events.exclude(kind="drawing.attached")
        return events
    return events


def proposal_list_for_rfq(user: User, rfq: RFQ) -> QuerySet[GroupProposal]:
    """The customer compares submitted proposals; a coordinator sees its own group's."""
    proposals = GroupProposal.objects.filter(rfq=rfq).select_related("group", "group__coordinator")
    role = rfq_role(user, rfq)
    if role in ("office", "staff"):
        return proposals
    if role == "customer":
        return proposals.exclude(status=GroupProposal.Status.PREPARING)
    return proposals.filter(group__coordinator_id=user.firm_id)


def notification_inbox(user: User) -> QuerySet[Notification]:
    """Return the person's in-app notifications, newest first."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user, channel=Notification.Channel.IN_APP)
