"""What every workflow step needs: the locked request, its status, links."""

from django.urls import reverse
from django.utils.translation import gettext as _

from core.errors import InvalidTransition
from orders.models import RFQ


def rfq_locked(rfq_id: int) -> RFQ:
    """Return the request locked for update, so that racing steps run one after the other."""
    rfq = (
        RFQ.objects.select_for_update(of=("self",))
        .select_related("network", "customer")
        .filter(pk=rfq_id)
        .first()
    )
    if rfq is None:
        raise InvalidTransition(_("This request does not exist."))
    return rfq


def require_status(rfq: RFQ, *allowed: str, action: str) -> None:
    if rfq.status not in allowed:
        raise InvalidTransition(
            _("Cannot %(action)s: the request is %(status)s.")
            % {"action": action, "status": rfq.get_status_display().lower()}
        )


def rfq_link(rfq: RFQ) -> str:
    """Return the request's page: each person sees it as their role (a firm, its invitation)."""
    return reverse("pages:request", args=[rfq.pk])


def rfq_context(rfq: RFQ) -> dict:
    """Return what notifications about a request may say (never confidential details)."""
    return {
        "rfq": rfq.pk,
        "title": rfq.title,
        "due": rfq.estimate_due_at.astimezone(rfq.network.tzinfo).strftime("%Y-%m-%d %H:%M %Z")
        if rfq.estimate_due_at
        else "",
        "network": rfq.network.slug,
    }
