"""What every workflow step needs: its status, links."""

from django.urls import reverse
from django.utils.translation import gettext as _

from core.errors import InvalidTransition
from orders.models import RFQ


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
