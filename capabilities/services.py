"""Writes to the taxonomy, firms' capability profiles and directory contacts.

Permission checks are the caller's (capabilities.selectors and members.selectors say who
may edit what); these services keep the rules that hold whoever asks, and record every
change to a profile as a FirmCapabilityChange: a firm's skill growth.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _

from capabilities.csv_exchange import ProfileRow, TaxonomyRow
from capabilities.locks import directory_contact_unmailed_lock
from capabilities.models import (
    Capability,
    DirectoryContact,
    FirmCapability,
    FirmCapabilityChange,
    QualityGrade,
)
from core import clock
from core.background import enqueue
from core.errors import Refusal
from members.locks import firm_lock
from members.models import Firm, Network, User

# The profile fields whose changes are recorded in a change's details, besides the grade.
TRACKED_FIELDS = (
    "quality_grade_id",
    "max_part_size_mm",
    "tolerance_um",
    "monthly_capacity",
    "equipment",
    "notes",
    "since",
    "acquired_through_order_id",
)


def _check_quality_grade(*, capability: Capability, quality_grade: QualityGrade | None) -> None:
    if quality_grade is None:
        return
    graded = quality_grade.standard.capabilities.all()
    # A standard that names no capabilities may grade any; one that names some grades those.
    if graded.exists() and not graded.filter(pk=capability.pk).exists():
        raise Refusal(
            _("%(standard)s does not grade %(capability)s.")
            % {"standard": quality_grade.standard.name, "capability": capability.code},
            field="quality_grade",
        )


def _json_value(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


@transaction.atomic
def firm_capability_set(
    *,
    firm: Firm,
    capability: Capability,
    grade: int,
    quality_grade: QualityGrade | None = None,
    max_part_size_mm: int | None = None,
    tolerance_um: int | None = None,
    monthly_capacity: int | None = None,
    equipment: str = "",
    notes: str = "",
    since: datetime.date | None = None,
    acquired_through_order_id: int | None = None,
    changed_by: User | None = None,
) -> FirmCapability:
    """Add a capability to a firm's profile or change it, and record the change.

    Nothing is recorded when nothing changed. `acquired_through_order_id` names the order
    through which the firm learned the skill; it is kept on the change as well, so that
    the skill growth says which order taught what.
    """
    # One firm's profile is edited one writer at a time, so that two concurrent adds of
    # the same capability become an add and a change instead of a unique violation.
    firm_lock(firm.pk)
    if not capability.is_active:
        existing_inactive = FirmCapability.objects.filter(firm=firm, capability=capability)
        if not existing_inactive.exists():
            raise Refusal(_("This capability is no longer offered."), field="capability")
    _check_quality_grade(capability=capability, quality_grade=quality_grade)
    current = FirmCapability.objects.filter(firm=firm, capability=capability).first()
    before = None
    if current is None:
        current = FirmCapability(firm=firm, capability=capability)
    else:
        before = {"grade": current.grade, **{f: getattr(current, f) for f in TRACKED_FIELDS}}
    current.grade = grade
    current.quality_grade = quality_grade
    current.max_part_size_mm = max_part_size_mm
    current.tolerance_um = tolerance_um
    current.monthly_capacity = monthly_capacity
    current.equipment = equipment
    current.notes = notes
    current.since = since
    current.acquired_through_order_id = acquired_through_order_id
    current.full_clean(exclude=["firm", "capability"], validate_unique=False)
    after = {"grade": current.grade, **{f: getattr(current, f) for f in TRACKED_FIELDS}}
    if before == after:
        return current
    current.save()
    details = {
        field: [_json_value(before[field]) if before else None, _json_value(after[field])]
        for field in TRACKED_FIELDS
        if (before[field] if before else None) != after[field]
        and not (before is None and after[field] in (None, ""))
    }
    FirmCapabilityChange.objects.create(
        firm=firm,
        capability=capability,
        action=(
            FirmCapabilityChange.Action.ADDED
            if before is None
            else FirmCapabilityChange.Action.CHANGED
        ),
        grade_before=before["grade"] if before else None,
        grade_after=current.grade,
        changed_by=changed_by,
        order_id=acquired_through_order_id,
        details=details,
    )
    return current


@transaction.atomic
def firm_capability_remove(
    *,
    firm: Firm,
    capability: Capability,
    changed_by: User | None = None,
    order_id: int | None = None,
) -> None:
    """Remove a capability from a firm's profile and record it; absent ones are ignored."""
    firm_lock(firm.pk)
    current = FirmCapability.objects.filter(firm=firm, capability=capability).first()
    if current is None:
        return
    current.delete()
    FirmCapabilityChange.objects.create(
        firm=firm,
        capability=capability,
        action=FirmCapabilityChange.Action.REMOVED,
        grade_before=current.grade,
        grade_after=None,
        changed_by=changed_by,
        order_id=order_id,
    )


@transaction.atomic
def capabilities_import(*, rows: Sequence[TaxonomyRow]) -> dict[str, int]:
    """Create or update taxonomy nodes from validated rows; return how many of each.

    The rows come from capabilities.csv_exchange.parse_taxonomy, which refuses a file with
    any bad row, so either every row is written or none is.
    """
    existing = {capability.code: capability for capability in Capability.objects.all()}
    created: set[str] = set()
    updated: set[str] = set()
    for row in rows:
        capability = existing.get(row.code) or Capability(code=row.code)
        values = {
            "kind": row.kind,
            "name_ja": row.name_ja,
            "name_en": row.name_en,
            "description": row.description,
            "keywords": row.keywords,
            "is_active": row.is_active,
        }
        if capability.pk is None:
            created.add(row.code)
        elif any(getattr(capability, key) != value for key, value in values.items()):
            updated.add(row.code)
        else:
            continue
        for key, value in values.items():
            setattr(capability, key, value)
        capability.save()
        existing[row.code] = capability
    # Parents last, once every node of the file exists.
    for row in rows:
        capability = existing[row.code]
        parent_id = existing[row.parent_code].pk if row.parent_code else None
        if capability.parent_id != parent_id:
            capability.parent_id = parent_id
            capability.save(update_fields=["parent"])
            if row.code not in created:
                updated.add(row.code)
    return {"created": len(created), "updated": len(updated), "rows": len(rows)}


@transaction.atomic
def firm_capabilities_import(
    *, rows: Sequence[ProfileRow], replace: bool = False, changed_by: User | None = None
) -> dict[str, int]:
    """Write validated profile rows; with `replace`, drop what the file omits per firm.

    The rows come from capabilities.csv_exchange.parse_profiles, which refuses a file with
    any bad row (and checks each firm against the importing office's network), so either
    the whole file is applied or nothing is.
    """
    changes_before = FirmCapabilityChange.objects.count()
    for row in rows:
        firm_capability_set(
            firm=row.firm,
            capability=row.capability,
            grade=row.grade,
            quality_grade=row.quality_grade,
            max_part_size_mm=row.max_part_size_mm,
            tolerance_um=row.tolerance_um,
            monthly_capacity=row.monthly_capacity,
            equipment=row.equipment,
            notes=row.notes,
            since=row.since,
            acquired_through_order_id=row.acquired_through_order_id,
            changed_by=changed_by,
        )
    removed = 0
    if replace:
        listed: dict[int, set[int]] = {}
        for row in rows:
            listed.setdefault(row.firm.pk, set()).add(row.capability.pk)
        for firm_id, capability_ids in listed.items():
            stale = FirmCapability.objects.filter(firm_id=firm_id).exclude(
                capability_id__in=capability_ids
            )
            for firm_capability in stale.select_related("firm", "capability"):
                firm_capability_remove(
                    firm=firm_capability.firm,
                    capability=firm_capability.capability,
                    changed_by=changed_by,
                )
                removed += 1
    return {
        "rows": len(rows),
        "firms": len({row.firm.pk for row in rows}),
        "changes": FirmCapabilityChange.objects.count() - changes_before,
        "removed": removed,
    }


@transaction.atomic
def directory_contact_create(
    *,
    firm: Firm,
    sender_name: str,
    sender_email: str,
    message: str,
    sender_organization: str = "",
    network: Network | None = None,
    capability: Capability | None = None,
    sent_by: User | None = None,
) -> DirectoryContact:
    """Record a customer's message to a firm from the directory, and pass it on by e-mail.

    The message is counted for the network it was found through; the e-mail goes out
    after the commit, through the broker, and a broker that is down loses nothing: the
    firm sees the message on its profile page either way.
    """
    contact = DirectoryContact(
        firm=firm,
        network=network,
        capability=capability,
        sender_name=sender_name,
        sender_email=sender_email,
        sender_organization=sender_organization,
        message=message,
        sent_by=sent_by if sent_by is not None and sent_by.is_authenticated else None,
    )
    contact.full_clean()
    contact.save()
    # The contact is saved and shown whether or not the broker takes the mail.
    enqueue("capabilities.send_directory_contact", contact.pk)
    return contact


@transaction.atomic
def directory_contact_mail(*, contact_id: int) -> bool:
    """E-mail a directory contact to its firm once; return True if it was sent now."""
    contact = directory_contact_unmailed_lock(contact_id)
    if contact is None:
        return False
    recipients = [contact.firm.email] if contact.firm.email else []
    if not recipients:
        recipients = list(
            contact.firm.people.filter(is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    if not recipients:
        return False
    subject = _("Message from the directory: %(name)s") % {"name": contact.sender_name}
    lines = [
        f"{contact.sender_name} <{contact.sender_email}>",
        contact.sender_organization,
        f"{contact.network.name}" if contact.network else "",
        f"{contact.capability.name} ({contact.capability.code})" if contact.capability else "",
        "",
        contact.message,
    ]
    send_mail(
        subject,
        "\n".join(line for line in lines if line is not None),
        None,
        recipients,
        fail_silently=False,
    )
    contact.mailed_at = clock.now()
    contact.save(update_fields=["mailed_at"])
    return True
