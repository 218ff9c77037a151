"""Tell the other side of a membership that an invitation or application needs an answer.

The members app records each change of a membership (MembershipChange) and hands it here
in the same transaction: the firm's people hear of an
invitation, the network's office of an application, and each side of the other's answer.
"""

from django.urls import reverse

from core.bilingual import name_said_to_each
from members.models import MembershipChange
from members.notifications import notifications_create
from members.selectors import firm_people, office_people

# Who hears of each kind of change: the firm's people, or the network's office.
TO_FIRM = {MembershipChange.Kind.INVITED, MembershipChange.Kind.APPROVED}
TO_OFFICE = {MembershipChange.Kind.APPLIED, MembershipChange.Kind.ACCEPTED}


def membership_change_notify(*, change: MembershipChange) -> None:
    """Notify the side that did not make the change (declines go to the other side)."""
    membership = change.membership
    network = membership.network
    kind = change.kind
    by_firm = change.actor is not None and change.actor.firm_id == membership.firm_id
    if kind == MembershipChange.Kind.DECLINED:
        to_firm = not by_firm
    elif kind in TO_FIRM:
        to_firm = True
    elif kind in TO_OFFICE:
        to_firm = False
    else:
        return
    if to_firm:
        recipients = firm_people([membership.firm_id])
        link = reverse("network-firm-memberships")
    else:
        recipients = office_people(network)
        link = reverse("network-office-memberships", kwargs={"slug": network.slug})
    notifications_create(
        kind=f"membership.{kind}",
        subject_type="membership_change",
        subject_id=change.pk,
        recipients=recipients,
        context={
            "network": name_said_to_each(network),
            "firm": name_said_to_each(membership.firm),
        },
        link=link,
    )
