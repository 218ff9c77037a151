"""The site's navigation: the person's role home, their sections, and where they are."""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from brokerage.page_selectors import firm_roles, unread_notification_count
from members.models import Membership

register = template.Library()


def url_if_routed(name: str) -> str:
    """Return the URL of another app's page, or "" while that app does not route it yet."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


@register.inclusion_tag("brokerage/_navigation.html", takes_context=True)
def site_navigation(context):
    """Render the sections the person works in; the view's `nav_section` marks the current."""
    request = context["request"]
    user = request.user
    current = context.get("nav_section", "")
    sections = []
    unread = 0
    if not user.is_authenticated:
        sections.append(("submit", _("Submit a request"), reverse("pages:submit-choose-network")))
    elif user.firm_id is None:
        sections += [
            ("requests", _("My requests"), reverse("pages:request-list")),
            ("submit", _("Submit a request"), reverse("pages:submit-choose-network")),
        ]
    else:
        roles = firm_roles(user)
        if Membership.Role.OFFICE in roles:
            sections += [
                ("queue", _("Queue"), reverse("pages:queue")),
                ("key-in", _("Key in a request"), reverse("pages:key-in")),
            ]
        if roles - {Membership.Role.OFFICE}:
            sections += [
                ("invitations", _("Invitations"), reverse("pages:invitations")),
                ("requests", _("My firm's requests"), reverse("pages:request-list")),
            ]
            profile = url_if_routed("my-firm-profile")
            if profile:
                sections.append(("profile", _("Our capabilities"), profile))
    if user.is_authenticated:
        unread = unread_notification_count(user)
    return {
        "user": user,
        "request": request,
        "sections": [
            {"key": key, "label": label, "url": url, "current": key == current}
            for key, label, url in sections
        ],
        "inbox_current": current == "inbox",
        "unread": unread,
        "csrf_token": context.get("csrf_token"),
        "LANGUAGE_CODE": context.get("LANGUAGE_CODE"),
    }
