"""Reads of networks, firms and memberships, scoped to what the caller may see."""

from django.db.models import Count, Q, QuerySet

from members.models import Membership, Network, User


def network_list_public() -> QuerySet[Network]:
    """Return the networks anyone may see, with their active member counts."""
    return Network.objects.filter(is_public=True).annotate(
        member_count=Count(
            "memberships",
            filter=Q(memberships__is_active=True) & ~Q(memberships__role=Membership.Role.OFFICE),
        )
    )


def memberships_of_user(*, user: User) -> QuerySet[Membership]:
    """Return the active memberships of the user's firm, with their networks."""
    if not user.is_authenticated or user.firm_id is None:
        return Membership.objects.none()
    return Membership.objects.filter(firm_id=user.firm_id, is_active=True).select_related("network")


def office_network_ids(*, user: User) -> set[int]:
    """Return the ids of the networks whose office the user works for."""
    return set(
        memberships_of_user(user=user)
        .filter(role=Membership.Role.OFFICE)
        .values_list("network_id", flat=True)
    )
