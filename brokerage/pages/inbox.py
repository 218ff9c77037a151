"""The in-app inbox: every notification the person was sent in the app, marked read."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from brokerage.page_selectors import inbox_for_page
from core.pagination import page_of
from members.notifications import notifications_mark_read

NOTIFICATIONS_PER_PAGE = 30


@login_required
def inbox(request):
    """List the person's notifications, newest first; optionally only the unread."""
    unread_only = request.GET.get("show") == "unread"
    page = page_of(
        request,
        inbox_for_page(request.user, unread_only=unread_only),
        per_page=NOTIFICATIONS_PER_PAGE,
    )
    return render(
        request,
        "brokerage/inbox.html",
        {"page": page, "unread_only": unread_only, "nav_section": "inbox"},
    )


@require_POST
@login_required
def inbox_mark_read(request):
    """Mark one notification, or all of them, as read; then go back to the inbox."""
    if "all" in request.POST:
        notifications_mark_read(user=request.user)
    else:
        ids = [int(value) for value in request.POST.getlist("notification") if value.isdigit()]
        notifications_mark_read(user=request.user, notification_ids=ids)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("pages:inbox")
    return redirect(back)
