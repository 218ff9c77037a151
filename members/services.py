"""Writes to firms, memberships and NDA signatures.

Joining a network takes both sides: the office invites and the firm's people accept, or
the firm applies and the office approves; these services check who may take each side.
Other permission checks are the caller's (members.selectors says who may do what).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import access, clock
from core.bounds import date_refusal
from core.errors import NotAllowed, Refusal
from members.locks import membership_lock, membership_of_lock
from members.membership_notices import membership_change_notify
from members.models import (
    Firm,
    Membership,
    MembershipChange,
    NdaSignature,
    Network,
    NetworkClosingDay,
    NetworkGroup,
    User,
)

_UNSET = object()


def membership_state(membership: Membership) -> dict:
    """Return what a membership change may alter, as the audit trail records it."""
    return {
        "role": membership.role,
        "group": membership.group_id,
        "status": membership.status,
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
        raise Refusal(_("This group belongs to another network."), field="group")


def _is_firm_person(actor: User | None, firm_id: int) -> bool:
    return bool(
        actor is not None
        and actor.is_authenticated
        and actor.is_active
        and actor.firm_id == firm_id
    )


def _require_office(actor: User | None, network: Network) -> None:
    if actor is None or not access.runs_network(actor, network):
        raise PermissionDenied(_("Only the network's office may do this."))


def _activate(membership: Membership, now: datetime.datetime) -> None:
    membership.status = Membership.Status.ACTIVE
    membership.is_active = True
    membership.joined_on = timezone.localdate(now, timezone=membership.network.tzinfo)


def _record(
    membership: Membership, *, kind: str, actor: User | None, before: dict
) -> MembershipChange:
    change = membership_change_record(membership=membership, kind=kind, actor=actor, before=before)
    # Told in the same transaction (an outbox): never told without having happened.
    membership_change_notify(change=change)
    return change


@transaction.atomic
def membership_invite(
    *,
    network: Network,
    firm: Firm,
    actor: User,
    role: str = Membership.Role.MEMBER,
    group: NetworkGroup | None = None,
) -> Membership:
    """Invite a firm into the network on the office's side; the firm's people accept it.

    The membership stays inactive until someone of the firm accepts. Inviting a firm that
    has already applied approves its application: both sides then agreed.
    """
    _require_office(actor, network)
    if role not in Membership.Role.values:
        raise Refusal(_("Unknown role."), field="role")
    _check_group(network=network, group=group)
    membership = membership_of_lock(network=network, firm=firm)
    if membership is not None and membership.status == Membership.Status.ACTIVE:
        raise Refusal(_("This firm is already a member of the network."), field="firm")
    if membership is not None and membership.status == Membership.Status.INVITED:
        raise Refusal(_("This firm is already invited; it has not answered."), field="firm")
    now = clock.now()
    before = membership_state(membership) if membership is not None else {}
    if membership is None:
        membership = Membership(network=network, firm=firm)
    applied = membership.status == Membership.Status.APPLIED and membership.pk is not None
    membership.role = role
    membership.group = group
    membership.network_agreed_by = actor
    membership.network_agreed_at = now
    if applied:
        _activate(membership, now)
    else:
        membership.status = Membership.Status.INVITED
        membership.is_active = False
        membership.firm_agreed_by = None
        membership.firm_agreed_at = None
    membership.save()
    kind = MembershipChange.Kind.APPROVED if applied else MembershipChange.Kind.INVITED
    _record(membership, kind=kind, actor=actor, before=before)
    return membership


@transaction.atomic
def membership_apply(*, network: Network, firm: Firm, actor: User) -> Membership:
    """Apply, as one of the firm's people, to join the network; its office approves.

    Applying to a network that has invited the firm accepts the invitation.
    """
    if not _is_firm_person(actor, firm.pk):
        raise PermissionDenied(_("Only the firm's own people apply for it."))
    membership = membership_of_lock(network=network, firm=firm)
    if membership is not None and membership.status == Membership.Status.INVITED:
        return _accept_locked(membership, actor)
    if membership is not None and membership.status == Membership.Status.ACTIVE:
        raise Refusal(_("Your firm is already a member of this network."), field="network")
    if membership is not None and membership.status == Membership.Status.APPLIED:
        raise Refusal(
            _("Your firm has applied already; the office has not answered."), field="network"
        )
    before = membership_state(membership) if membership is not None else {}
    if membership is None:
        membership = Membership(network=network, firm=firm, role=Membership.Role.MEMBER)
    membership.status = Membership.Status.APPLIED
    membership.is_active = False
    membership.firm_agreed_by = actor
    membership.firm_agreed_at = clock.now()
    membership.network_agreed_by = None
    membership.network_agreed_at = None
    membership.save()
    _record(membership, kind=MembershipChange.Kind.APPLIED, actor=actor, before=before)
    return membership


def _accept_locked(membership: Membership, actor: User) -> Membership:
    before = membership_state(membership)
    now = clock.now()
    membership.firm_agreed_by = actor
    membership.firm_agreed_at = now
    _activate(membership, now)
    membership.save()
    _record(membership, kind=MembershipChange.Kind.ACCEPTED, actor=actor, before=before)
    return membership


@transaction.atomic
def membership_accept(*, membership: Membership, actor: User) -> Membership:
    """Accept, as one of the firm's people, the network's invitation: the firm joins."""
    membership = membership_lock(membership.pk)
    if not _is_firm_person(actor, membership.firm_id):
        raise PermissionDenied(_("Only the invited firm's own people answer its invitation."))
    if membership.status != Membership.Status.INVITED:
        raise Refusal(_("There is no open invitation to accept."), field="status")
    return _accept_locked(membership, actor)


@transaction.atomic
def membership_approve(*, membership: Membership, actor: User) -> Membership:
    """Approve, as the network's office, a firm's application: the firm joins."""
    membership = membership_lock(membership.pk)
    _require_office(actor, membership.network)
    if membership.status != Membership.Status.APPLIED:
        raise Refusal(_("There is no open application to approve."), field="status")
    before = membership_state(membership)
    now = clock.now()
    membership.network_agreed_by = actor
    membership.network_agreed_at = now
    _activate(membership, now)
    membership.save()
    _record(membership, kind=MembershipChange.Kind.APPROVED, actor=actor, before=before)
    return membership


@transaction.atomic
def membership_decline(*, membership: Membership, actor: User) -> Membership:
    """Decline an open invitation (the firm's people) or application (the office)."""
    membership = membership_lock(membership.pk)
    if membership.status == Membership.Status.INVITED:
        if not _is_firm_person(actor, membership.firm_id):
            raise PermissionDenied(_("Only the invited firm's own people answer its invitation."))
    elif membership.status == Membership.Status.APPLIED:
        _require_office(actor, membership.network)
    else:
        raise Refusal(_("There is no open invitation or application."), field="status")
    before = membership_state(membership)
    membership.status = Membership.Status.DECLINED
    membership.is_active = False
    membership.save()
    _record(membership, kind=MembershipChange.Kind.DECLINED, actor=actor, before=before)
    return membership


@transaction.atomic
def membership_bootstrap(
    *,
    network: Network,
    firm: Firm,
    role: str = Membership.Role.MEMBER,
    group: NetworkGroup | None = None,
    joined_on: datetime.date | None = None,
) -> Membership:
    """Make the firm an active member with both sides agreed by the platform itself.

    Only for the platform's own commands, the demo data and tests: people and offices
    go through an invitation or an application.
    """
    if role not in Membership.Role.values:
        raise Refusal(_("Unknown role."), field="role")
    _check_group(network=network, group=group)
    membership = membership_of_lock(network=network, firm=firm)
    before = membership_state(membership) if membership is not None else {}
    if membership is None:
        membership = Membership(network=network, firm=firm)
    now = clock.now()
    membership.role = role
    membership.group = group
    membership.status = Membership.Status.ACTIVE
    membership.is_active = True
    membership.network_agreed_by = membership.firm_agreed_by = None
    membership.network_agreed_at = membership.firm_agreed_at = now
    membership.joined_on = joined_on or timezone.localdate(now)
    membership.save()
    membership_change_record(
        membership=membership, kind=MembershipChange.Kind.JOINED, actor=None, before=before
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
    membership = membership_lock(membership.pk)
    before = membership_state(membership)
    was_office = membership.is_active and membership.role == Membership.Role.OFFICE
    if role is not None:
        if role not in Membership.Role.values:
            raise Refusal(_("Unknown role."), field="role")
        membership.role = role
    if group is not _UNSET:
        _check_group(network=membership.network, group=group)
        membership.group = group
    if is_active is not None and is_active != membership.is_active:
        if is_active:
            raise Refusal(
                _("A membership becomes active only when both sides agree: invite the firm again."),
                field="is_active",
            )
        membership.is_active = False
        membership.status = Membership.Status.ENDED
    is_office = membership.is_active and membership.role == Membership.Role.OFFICE
    if was_office and not is_office:
        other_offices = Membership.objects.filter(
            network_id=membership.network_id, role=Membership.Role.OFFICE, is_active=True
        ).exclude(pk=membership.pk)
        if not other_offices.exists():
            raise Refusal(_("A network keeps at least one active office membership."), field="role")
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
    membership = membership_lock(membership.pk)
    network = membership.network
    if not membership.is_active:
        raise Refusal(_("This membership is not active."), field="membership")
    if signed_by.firm_id != membership.firm_id:
        raise Refusal(_("Only the firm's own staff sign its NDA."), field="signed_by")
    if not network.nda_version:
        raise Refusal(_("This network has no NDA to sign."), field="version")
    if version != network.nda_version:
        raise Refusal(
            _("The current NDA version is %(current)s, not %(given)s.")
            % {"current": network.nda_version, "given": version},
            field="version",
        )
    signature = NdaSignature.objects.filter(membership=membership, version=version).first()
    if signature is None:
        signature = NdaSignature.objects.create(
            membership=membership, version=version, signed_by=signed_by, signed_at=clock.now()
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
def membership_invite_new_firm(
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
    actor: User,
) -> Membership:
    """Create a firm new to the platform and invite it into the network, or neither.

    A new firm has nobody yet: its invitation waits until a person of the firm (added by
    the platform's staff) accepts it.
    """
    firm = firm_create(
        name_ja=name_ja,
        name_en=name_en,
        prefecture=prefecture,
        city=city,
        email=email,
        website=website,
    )
    return membership_invite(network=network, firm=firm, role=role, group=group, actor=actor)


def person_language_set(*, person: User, language: str) -> None:
    """Remember the language a person chose: pages after login and notifications use it."""
    if language not in User.Language.values:
        raise Refusal(_("Unknown language."), field="language")
    User.objects.filter(pk=person.pk).update(language=language)
    person.language = language


def _require_office_or_staff(actor: User | None, network: Network) -> None:
    if actor is None or not access.runs_network(actor, network):
        raise NotAllowed(_("Only the network's office may do this."))


@transaction.atomic
def closing_day_add(
    *, network: Network, date: datetime.date, name: str, actor: User
) -> NetworkClosingDay:
    """Close the network's office on a day (Obon, the year-end): its clock skips it.

    Windows already running keep the due times they were given; requests submitted from
    now on count around the day.
    """
    _require_office_or_staff(actor, network)
    refusal = date_refusal(date)
    if refusal:
        raise Refusal(refusal, field="date")
    # The row lock on the network makes a second office person adding the same day wait,
    # then see it, rather than hit the unique constraint.
    Network.objects.select_for_update().filter(pk=network.pk).first()
    if NetworkClosingDay.objects.filter(network=network, date=date).exists():
        raise Refusal(
            _("The office is already closed on %(date)s.") % {"date": date.isoformat()},
            field="date",
        )
    return NetworkClosingDay.objects.create(network=network, date=date, name=name.strip())


@transaction.atomic
def closing_day_remove(*, closing_day: NetworkClosingDay, actor: User) -> None:
    """Open the network's office again on a day it had closed."""
    _require_office_or_staff(actor, closing_day.network)
    closing_day.delete()
