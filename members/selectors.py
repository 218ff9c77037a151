"""Reads of networks, firms and memberships, scoped to what the caller may see."""

from django.db import connection
from django.db.models import BooleanField, Count, Q, QuerySet
from django.db.models.expressions import RawSQL

from members.models import (
    Firm,
    Membership,
    MembershipChange,
    NdaSignature,
    Network,
    NetworkGroup,
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


def office_network_ids(*, user: User) -> set[int]:
    """Return the ids of the networks whose office the user works for."""
    return set(
        memberships_of_user(user=user)
        .filter(role=Membership.Role.OFFICE)
        .values_list("network_id", flat=True)
    )


def user_is_staff(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def user_runs_network(*, user: User, network: Network) -> bool:
    """Return True if the user works for the network's office (or is platform staff)."""
    if user_is_staff(user):
        return True
    return network.pk in office_network_ids(user=user)


def networks_run_by(*, user: User) -> QuerySet[Network]:
    """Return the networks whose office the user works for (every network for staff)."""
    if user_is_staff(user):
        return Network.objects.order_by("slug")
    return Network.objects.filter(pk__in=office_network_ids(user=user)).order_by("slug")


def network_get_visible(*, slug: str, user: User) -> Network | None:
    """Return the network if it is public, or the user belongs to it or runs the platform."""
    network = Network.objects.filter(slug=slug).first()
    if network is None or network.is_public or user_is_staff(user):
        return network
    if memberships_of_user(user=user).filter(network=network).exists():
        return network
    return None


def firms_managed_by(*, user: User) -> QuerySet[Firm]:
    """Return the firms the user may manage: their own, their networks' members, or all."""
    if not user.is_authenticated or not user.is_active:
        return Firm.objects.none()
    if user_is_staff(user):
        return Firm.objects.all()
    managed = Q(pk=user.firm_id) if user.firm_id else Q(pk__in=[])
    offices = office_network_ids(user=user)
    if offices:
        managed |= Q(
            pk__in=Membership.objects.filter(network_id__in=offices, is_active=True).values(
                "firm_id"
            )
        )
    return Firm.objects.filter(managed)


def user_may_manage_firm(*, user: User, firm_id: int) -> bool:
    """Return True if the user may edit the firm's profile: its staff, its office, staff."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.firm_id == firm_id or user_is_staff(user):
        return True
    return firms_managed_by(user=user).filter(pk=firm_id).exists()


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


def membership_of_user(*, user: User, network: Network) -> Membership | None:
    """Return the active membership of the user's firm in the network, if any."""
    return memberships_of_user(user=user).filter(network=network).first()


def group_list(*, network: Network) -> QuerySet[NetworkGroup]:
    return NetworkGroup.objects.filter(network=network).order_by("name_en")


def nda_is_current(*, membership: Membership, network: Network) -> bool:
    """Return True if the membership signed the network's current NDA version."""
    return bool(
        network.nda_version
        and membership.nda_signed_at is not None
        and membership.nda_version == network.nda_version
    )


def firm_may_see_confidential(firm_id: int, network: Network) -> bool:
    """Return True if the firm may see the network's confidential requests.

    That is when the firm is an active member of the network and either the network
    requires no NDA or the membership signed the NDA's current version. The office always
    may: it receives every request and is the NDA's counterparty. A network that requires
    an NDA but names no version lets no member see confidential requests (fail closed).
    """
    membership = Membership.objects.filter(
        network=network, firm_id=firm_id, is_active=True, firm__is_active=True
    ).first()
    if membership is None:
        return False
    if membership.role == Membership.Role.OFFICE or not network.nda_required:
        return True
    return nda_is_current(membership=membership, network=network)


def nda_signature_list(*, membership: Membership) -> QuerySet[NdaSignature]:
    return membership.nda_signatures.select_related("signed_by").order_by("-signed_at")


def membership_change_list_for_office(*, network: Network) -> QuerySet[MembershipChange]:
    """Return the network's membership history, newest first (the caller checks the office)."""
    return MembershipChange.objects.filter(network=network).select_related(
        "membership__firm", "actor"
    )
