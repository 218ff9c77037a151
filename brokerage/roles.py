"""Who is told about a network's work: its office's people, a firm's people.

Who may see or do what is answered by core.access alone.
"""

from members.models import Membership, Network, User


def office_people(network: Network) -> list[User]:
    """Return the active people of the network's office firm(s)."""
    return list(
        User.objects.filter(
            is_active=True,
            firm__memberships__network=network,
            firm__memberships__role=Membership.Role.OFFICE,
            firm__memberships__is_active=True,
        )
    )


def firm_people(firm_ids) -> list[User]:
    """Return the active people of the given firms."""
    return list(User.objects.filter(is_active=True, firm_id__in=list(firm_ids)))
