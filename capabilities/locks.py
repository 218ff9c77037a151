"""Row locks on capabilities' own rows, and where they come in the order of all locks.

Every transaction takes its locks in one order (see ``members.locks``), so that two of
them never wait for each other. Capabilities' writes lock:

1. ``members.locks.firm_lock`` — the firm's row, before its capability profile is edited.
2. ``directory_contact_unmailed_lock`` — one directory contact, alone in its transaction;
   it locks only the contact's row (not the firm, network or capability it joins).
"""

from capabilities.models import DirectoryContact


def directory_contact_unmailed_lock(contact_id: int) -> DirectoryContact | None:
    """Lock a directory contact not mailed yet, so that it is mailed once; None otherwise."""
    return (
        DirectoryContact.objects.select_for_update(of=("self",))
        .select_related("firm", "network", "capability")
        .filter(pk=contact_id, mailed_at__isnull=True)
        .first()
    )
