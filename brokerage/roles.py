"""Who a person is in a network: office, a member firm's staff, a customer."""

from members.models import Membership, Network, User


def membership_of(user: User, network: Network) -> Membership | None:
    """Return the active membership of the user's firm in the network, if any."""
    if not user.is_authenticated or user.firm_id is None:
        return None
    return Membership.objects.filter(network=network, firm_id=user.firm_id, is_active=True).first()


def is_office(user: User, network: Network) -> bool:
    membership = membership_of(user, network)
    return membership is not None and membership.role == Membership.Role.OFFICE


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


def nda_signed(firm_id: int, network: Network) -> bool:
    """Return whether the firm signed the network's current NDA."""
    signed = Membership.objects.filter(
        network=network, firm_id=firm_id, is_active=True, nda_signed_at__isnull=False
    )
    if network.nda_version:
        signed = signed.filter(nda_version=network.nda_version)
    return signed.exists()


def firm_may_see_confidential(firm_id: int, network: Network) -> bool:
    """Return whether a member firm may see a confidential request's details."""
    return not network.nda_required or nda_signed(firm_id, network)
