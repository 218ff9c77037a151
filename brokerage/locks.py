"""Row locks on the brokering workflow's rows, after the locks of the apps to the left.

Two transactions that lock the same rows in opposite orders wait for each other until
PostgreSQL kills one of them (a deadlock). Every write therefore takes its locks through
these functions, in this order, after those of ``members.locks`` and ``orders.locks``:

- A request's rows: request (``orders.locks.rfq_lock``) → ``group_proposal_lock``.
  ``invitation_lock`` is taken alone (an invitation opened); an answer is written
  under the request's lock.

Sweepers claim many rows with ``SKIP LOCKED`` instead of waiting, so they cannot
deadlock: ``brokerage.services.deadlines.deadlines_fire`` claims a batch of due deadlines
with its own query, taking no other lock before it; ``members.locks.
notification_pending_claim`` claims one notification the same way.
"""

from brokerage.models import GroupProposal, Invitation


def invitation_lock(invitation_id: int) -> Invitation | None:
    """Lock an invitation, with its request, network and firm (not locked) loaded."""
    return (
        Invitation.objects.select_related("rfq", "rfq__network", "firm")
        .select_for_update(of=("self",))
        .filter(pk=invitation_id)
        .first()
    )


def group_proposal_lock(proposal_id: int) -> GroupProposal:
    """Lock a group's proposal (after its request)."""
    return GroupProposal.objects.select_for_update().get(pk=proposal_id)
