"""Reads of networks, firms and memberships, scoped to what the caller may see."""

from django.db import connection
from django.db.models import BooleanField, Count, Q, QuerySet
from django.db.models.expressions import RawSQL

from core import access
from members.models import (
    Firm,
    Membership,
    MembershipChange,
    NdaSignature,
    Network,
    NetworkClosingDay,
    Notification,
    User,
)

# On PostgreSQL, the networks where a firm has an active membership other than the
# office's (a column the database keeps, not a Django field: members/migrations/0006).
DIRECTORY_NETWORKS = "directory_network_ids"


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


def network_get_visible(*, slug: str, user: User) -> Network | None:
    """Return the network if it is public, or the user belongs to it or runs the platform."""
    network = Network.objects.filter(slug=slug).first()
    if network is None or network.is_public or access.is_staff(user):
        return network
    if access.membership_of(user, network) is not None:
        return network
    return None


def firm_list_public(*, network: Network | None = None) -> QuerySet[Firm]:
    """Return the active firms listed in a public directory (the network's, or any).

    A firm is listed while it is an active member, in a role other than the office's,
    of a public network.
    """
    if network is not None and not network.is_public:
        return Firm.objects.none()
    firms = Firm.objects.filter(is_active=True)
    if connection.vendor == "postgresql":
        # The networks listing each firm, kept on the firm by the database
        # (members/migrations/0006): no join with a hundred thousand memberships.
        if network is None:
            listed_in_networks = (
                f"{DIRECTORY_NETWORKS} && ARRAY(SELECT id FROM {Network._meta.db_table}"
                " WHERE is_public)"
            )
            return firms.filter(RawSQL(listed_in_networks, (), output_field=BooleanField()))
        listed_in_network = f"{DIRECTORY_NETWORKS} @> ARRAY[%s]::bigint[]"
        return firms.filter(RawSQL(listed_in_network, (network.pk,), output_field=BooleanField()))
    listed = Membership.objects.filter(is_active=True).exclude(role=Membership.Role.OFFICE)
    if network is None:
        listed = listed.filter(network__is_public=True)
    else:
        listed = listed.filter(network=network)
    return firms.filter(pk__in=listed.values("firm_id"))


def network_member_list(*, network: Network) -> QuerySet[Membership]:
    """Return the network's active members (not its office) for its public page."""
    return (
        Membership.objects.filter(network=network, is_active=True, firm__is_active=True)
        .exclude(role=Membership.Role.OFFICE)
        .select_related("firm", "group")
        .order_by("role", "firm__name_en", "pk")
    )


def membership_list_for_office(*, network: Network) -> QuerySet[Membership]:
    """Return every membership of the network, for its office (the caller checks that)."""
    return (
        Membership.objects.filter(network=network)
        .select_related("firm", "group", "network")
        .order_by("-is_active", "role", "firm__name_en", "pk")
    )


def membership_list_for_firm(*, user: User) -> QuerySet[Membership]:
    """Return every membership of the person's firm (invitations and applications too)."""
    if not user.is_authenticated or not user.is_active or user.firm_id is None:
        return Membership.objects.none()
    return (
        Membership.objects.filter(firm_id=user.firm_id)
        .select_related("firm", "group", "network")
        .order_by("network__slug", "pk")
    )


def nda_signature_list(*, membership: Membership) -> QuerySet[NdaSignature]:
    return membership.nda_signatures.select_related("signed_by").order_by("-signed_at")


def membership_change_list_for_office(*, network: Network) -> QuerySet[MembershipChange]:
    """Return the network's membership history, newest first (the caller checks the office)."""
    return MembershipChange.objects.filter(network=network).select_related(
        "membership__firm", "actor"
    )


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


def notification_inbox(user: User) -> QuerySet[Notification]:
    """Return the person's in-app notifications, newest first."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user, channel=Notification.Channel.IN_APP)


def office_networks(user: User) -> QuerySet[Network]:
    """Return the networks whose office the person works for."""
    return Network.objects.filter(pk__in=access.office_network_ids(user)).order_by("slug")


def closing_day_list(*, network: Network) -> QuerySet[NetworkClosingDay]:
    """Return the days the network's office closed, oldest first (its office reads them)."""
    return NetworkClosingDay.objects.filter(network=network).order_by("date")
