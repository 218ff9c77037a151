"""Reads of requests and their workflow, scoped to what the asking person may see."""

from django.db.models import QuerySet
from django.http import Http404

from brokerage.models import GroupProposal, Invitation
from core import access
from members.models import User
from orders.models import RFQ, Estimate, Event
from orders.selectors import unread_message_count


def rfq_list_for_user(user: User) -> QuerySet[RFQ]:
    """Return the requests a person may see (core.access.rfqs_visible), with their networks."""
    # A list shows each request's network; joining every visible request to its customer
    # and leader as well, before sorting them, cost more than the rest of a member's page.
    return access.rfqs_visible(user, RFQ.objects.select_related("network"))


def rfq_get_for_user(user: User, rfq_id: int, *, unread_messages: bool = False) -> RFQ:
    """Return one visible request, or 404 whether it is absent or someone else's.

    With `unread_messages`, it carries how many of its messages the person has not read
    (in the same query).
    """
    requests = rfq_list_for_user(user).select_related("customer", "leader_firm")
    if unread_messages:
        requests = requests.annotate(unread_messages=unread_message_count(user))
    rfq = requests.filter(pk=rfq_id).first()
    if rfq is None:
        raise Http404("No such request.")
    return rfq


def invitation_list_for_rfq(user: User, rfq: RFQ) -> QuerySet[Invitation]:
    """The office sees every invitation of a request; an invited firm only its own."""
    invitations = Invitation.objects.filter(rfq=rfq).select_related("firm")
    role = access.rfq_role(user, rfq)
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
    role = access.rfq_role(user, rfq)
    if role in access.OFFICE_ROLES or access.leads_rfq(user, rfq):
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
    """Return the request's timeline as the person may see it (core.access decides)."""
    events = Event.objects.filter(rfq=rfq).select_related("actor")
    return access.rfq_events_visible(user, rfq, events)


def proposal_list_for_rfq(user: User, rfq: RFQ) -> QuerySet[GroupProposal]:
    """The customer compares submitted proposals; a coordinator sees its own group's."""
    proposals = GroupProposal.objects.filter(rfq=rfq).select_related("group", "group__coordinator")
    role = access.rfq_role(user, rfq)
    if role in access.OFFICE_ROLES:
        return proposals
    if role == access.CUSTOMER:
        return proposals.exclude(status=GroupProposal.Status.PREPARING)
    return proposals.filter(group_id__in=access.viewer_of(user).group_ids)
