"""Which pages are whose door, and where each person's home is (core.access decides)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from core import access


def office_required(view):
    """Let only the people of a network office in (anonymous visitors log in first)."""

    @wraps(view)
    @login_required
    def guarded(request, *args, **kwargs):
        if not access.office_network_ids(request.user):
            raise PermissionDenied("This page is for network offices.")
        return view(request, *args, **kwargs)

    return guarded


def firm_required(view):
    """Let only the people of a member firm (or an office) in."""

    @wraps(view)
    @login_required
    def guarded(request, *args, **kwargs):
        if request.user.firm_id is None:
            raise PermissionDenied("This page is for member firms.")
        return view(request, *args, **kwargs)

    return guarded


@login_required
def role_home(request):
    """Send each person to the page they start their work on."""
    if access.office_network_ids(request.user):
        return redirect("pages:queue")
    if request.user.firm_id is not None:
        return redirect("pages:invitations")
    return redirect("pages:request-list")
