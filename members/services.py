"""Writes to firms, memberships and NDA signatures.

Permission checks are the caller's (members.selectors says who may do what); these
services keep the rules that hold whoever asks.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import (
    Firm,
    Membership,
    MembershipChange,
    NdaSignature,
    Network,
    NetworkGroup,
    User,
)

_UNSET = object()


def membership_state(membership: Membership) -> dict:
    """Return what a membership change may alter, as the audit trail records it."""
    return {
        "role": membership.role,
        "group": membership.group_id,
        "is_active": membership.is_active,
        "nda_version": membership.nda_version,
    }


def membership_change_record(
    *, membership: Membership, kind: str, actor: User | None, before: dict
) -> MembershipChange:
    """Append who changed the membership and how to its network's history."""
    return MembershipChange.objects.create(
        network_id=membership.network_id,
        membership=membership,
        actor=actor if actor is not None and actor.is_authenticated else None,
        kind=kind,
        before=before,
        after=membership_state(membership),
    )


@transaction.atomic
def firm_create(
    *,
    name_ja: str,
    name_en: str,
    prefecture: str,
    city: str = "",
    email: str = "",
    website: str = "",
) -> Firm:
    """Create a firm (an office onboarding a member that is not on the platform yet)."""
    firm = Firm(
        name_ja=name_ja, name_en=name_en, prefecture=prefecture, city=city, email=email,
        website=website,
    )  # fmt: skip
    firm.full_clean()
    firm.save()
    return firm


def _check_group(*, network: Network, group: NetworkGroup | None) -> None:
    if group is not None and group.network_id != network.pk:
        raise ValidationError({"group": _("This group belongs to another network.")})


@transaction.atomic
def membership_add(
    *,
    network: Network,
    firm: Firm,
    role: str = Membership.Role.MEMBER,
    group: NetworkGroup | None = None,
    joined_on: datetime.date | None = None,
    actor: User | None = None,
) -> Membership:
    """Make the firm a member of the network, or reactivate its past membership.

    `actor` is who did it (an office person, staff); the change is recorded either way.
    """
    if role not in Membership.Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    _check_group(network=network, group=group)
    membership = Membership.objects.select_for_update().filter(network=network, firm=firm).first()
    if membership is not None and membership.is_active:
        raise ValidationError({"firm": _("This firm is already a member of the network.")})
    before = {}
    if membership is None:
        membership = Membership(network=network, firm=firm)
    else:
        before = membership_state(membership)
    membership.role = role
    membership.group = group
    membership.is_active = True
    membership.joined_on = joined_on or membership.joined_on or timezone.localdate()
    membership.save()
    membership_change_record(
        membership=membership, kind=MembershipChange.Kind.JOINED, actor=actor, before=before
    )
    return membership


@transaction.atomic
def membership_update(
    *,
    membership: Membership,
    role: str | None = None,
    group: NetworkGroup | object | None = _UNSET,
    is_active: bool | None = None,
    actor: User | None = None,
) -> Membership:
    """Change a membership's role, group or whether it is active.

    A network always keeps at least one active office membership: without one, nobody
    could route its requests or manage its members.
    """
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    before = membership_state(membership)
    was_office = membership.is_active and membership.role == Membership.Role.OFFICE
    if role is not None:
        if role not in Membership.Role.values:
            raise ValidationError({"role": _("Unknown role.")})
        membership.role = role
    if group is not _UNSET:
        _check_group(network=membership.network, group=group)
        membership.group = group
    if is_active is not None:
        membership.is_active = is_active
    is_office = membership.is_active and membership.role == Membership.Role.OFFICE
    if was_office and not is_office:
        other_offices = Membership.objects.filter(
            network_id=membership.network_id, role=Membership.Role.OFFICE, is_active=True
        ).exclude(pk=membership.pk)
        if not other_offices.exists():
            raise ValidationError(
                {"role": _("A network keeps at least one active office membership.")}
            )
    membership.save()
    if membership_state(membership) != before:
        membership_change_record(
            membership=membership, kind=MembershipChange.Kind.CHANGED, actor=actor, before=before
        )
    return membership


@transaction.atomic
def nda_sign(*, membership: Membership, signed_by: User, version: str) -> NdaSignature:
    """Record that a firm's user signed the network's current NDA for the firm.

    Signing the same version again returns the first signature: the date that counts is
    the first one.
    """
    membership = (
        Membership.objects.select_for_update().select_related("network").get(pk=membership.pk)
    )
    network = membership.network
    if not membership.is_active:
        raise ValidationError({"membership": _("This membership is not active.")})
    if signed_by.firm_id != membership.firm_id:
        raise ValidationError({"signed_by": _("Only the firm's own staff sign its NDA.")})
    if not network.nda_version:
        raise ValidationError({"version": _("This network has no NDA to sign.")})
    if version != network.nda_version:
        raise ValidationError(
            {
                "version": _("The current NDA version is %(current)s, not %(given)s.")
                % {"current": network.nda_version, "given": version}
            }
        )
    signature = NdaSignature.objects.filter(membership=membership, version=version).first()
    if signature is None:
        signature = NdaSignature.objects.create(
            membership=membership, version=version, signed_by=signed_by, signed_at=timezone.now()
        )
    if membership.nda_version != version or membership.nda_signed_at is None:
        before = membership_state(membership)
        membership.nda_version = version
        membership.nda_signed_at = signature.signed_at
        membership.save(update_fields=["nda_version", "nda_signed_at"])
        membership_change_record(
            membership=membership,
            kind=MembershipChange.Kind.NDA_SIGNED,
            actor=signed_by,
            before=before,
        )
    return signature


@transaction.atomic
def membership_add_new_firm(
    *,
    network: Network,
    name_ja: str,
    name_en: str,
    prefecture: str,
    city: str = "",
    email: str = "",
    website: str = "",
    role: str = Membership.Role.MEMBER,
    group: NetworkGroup | None = None,
    actor: User | None = None,
) -> Membership:
    """Create a firm new to the platform and make it a member of the network, or neither."""
    firm = firm_create(
        name_ja=name_ja,
        name_en=name_en,
        prefecture=prefecture,
        city=city,
        email=email,
        website=website,
    )
    return membership_add(network=network, firm=firm, role=role, group=group, actor=actor)


def person_language_set(*, person: User, language: str) -> None:
    """Remember the language a person chose: pages after login and notifications use it."""
    if language not in User.Language.values:
        raise ValidationError({"language": _("Unknown language.")})
    User.objects.filter(pk=person.pk).update(language=language)
    person.language = language
