"""Pages of a network: its public landing page, its office's membership and closing-day
pages, its NDA; and a person's notification settings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core import access
from core.errors import REFUSALS, place_refusal, refusal_texts
from members.forms import (
    AddMemberForm,
    ClosingDayForm,
    MembershipForm,
    NdaSignForm,
    NotificationPreferencesForm,
)
from members.models import Membership, Network
from members.notification_preferences import (
    notification_preferences_get,
    notification_preferences_set,
)
from members.selectors import (
    closing_day_list,
    membership_change_list_for_office,
    membership_list_for_firm,
    membership_list_for_office,
    nda_signature_list,
    network_get_visible,
    network_member_list,
)
from members.services import (
    closing_day_add,
    closing_day_remove,
    membership_accept,
    membership_apply,
    membership_approve,
    membership_decline,
    membership_invite,
    membership_invite_new_firm,
    membership_update,
    nda_sign,
)

# The office's page shows the latest changes; the API pages through all of them.
RECENT_CHANGES = 50


def visible_network(request, slug: str) -> Network:
    network = network_get_visible(slug=slug, user=request.user)
    if network is None:
        raise Http404
    return network


def network_run_by(request, slug: str) -> Network:
    """Return the network if the user runs its office; 404 if unseen, else 403."""
    network = visible_network(request, slug)
    if not access.runs_network(request.user, network):
        raise PermissionDenied
    return network


def network_page(request, slug: str):
    """Show what the network does, its members, and what the visitor may do there."""
    network = visible_network(request, slug)
    membership = access.membership_of(request.user, network)
    return render(
        request,
        "members/network_page.html",
        {
            "network": network,
            "members": network_member_list(network=network),
            "membership": membership,
            "runs_network": access.runs_network(request.user, network),
            "nda_signed": bool(membership) and access.nda_current(membership, network),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def office_memberships(request, slug: str):
    """List the network's memberships for its office, and invite a firm."""
    network = network_run_by(request, slug)
    may_appoint_office = access.is_staff(request.user)
    form = AddMemberForm(
        request.POST or None, network=network, may_appoint_office=may_appoint_office
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data.get("firm"):
                membership = membership_invite(
                    network=network,
                    firm=data["firm"],
                    role=data["role"],
                    group=data["group"],
                    actor=request.user,
                )
            else:
                membership = membership_invite_new_firm(
                    network=network,
                    name_ja=data["name_ja"],
                    name_en=data["name_en"],
                    prefecture=data["prefecture"],
                    city=data["city"],
                    email=data["email"],
                    role=data["role"],
                    group=data["group"],
                    actor=request.user,
                )
        except REFUSALS as refusal:
            place_refusal(form, refusal)
        else:
            if membership.is_active:
                text = _("%(firm)s had applied: it is now a member.")
            else:
                text = _("%(firm)s is invited; it joins when one of its people accepts.")
            messages.success(request, text % {"firm": membership.firm.name})
            return redirect("network-office-memberships", slug=network.slug)
    memberships = membership_list_for_office(network=network)
    rows = [
        (
            membership,
            MembershipForm(
                initial={
                    "role": membership.role,
                    "group": membership.group_id,
                    "is_active": membership.is_active,
                },
                prefix=f"m{membership.pk}",
                network=network,
                may_appoint_office=may_appoint_office or membership.role == Membership.Role.OFFICE,
            ),
        )
        for membership in memberships
        if membership.status in (Membership.Status.ACTIVE, Membership.Status.ENDED)
    ]
    pending = [
        membership
        for membership in memberships
        if membership.status in (Membership.Status.INVITED, Membership.Status.APPLIED)
    ]
    return render(
        request,
        "members/office_memberships.html",
        {
            "network": network,
            "form": form,
            "rows": rows,
            "pending": pending,
            "changes": membership_change_list_for_office(network=network)[:RECENT_CHANGES],
        },
    )


@login_required
@require_POST
def office_membership_edit(request, slug: str, membership_id: int):
    """Change one membership's role, group or activity."""
    network = network_run_by(request, slug)
    membership = membership_list_for_office(network=network).filter(pk=membership_id).first()
    if membership is None:
        raise Http404
    staff = access.is_staff(request.user)
    form = MembershipForm(
        request.POST,
        prefix=f"m{membership.pk}",
        network=network,
        may_appoint_office=staff or membership.role == Membership.Role.OFFICE,
    )
    if not form.is_valid():
        messages.error(request, _("The change was not saved: %(errors)s") % {"errors": form.errors})
        return redirect("network-office-memberships", slug=network.slug)
    data = form.cleaned_data
    if membership.role == Membership.Role.OFFICE and data["role"] != membership.role and not staff:
        raise PermissionDenied
    try:
        membership_update(
            membership=membership,
            role=data["role"],
            group=data["group"],
            is_active=data["is_active"],
            actor=request.user,
        )
    except REFUSALS as refusal:
        messages.error(request, " ".join(refusal_texts(refusal)))
    else:
        messages.success(request, _("Saved %(firm)s.") % {"firm": membership.firm.name})
    return redirect("network-office-memberships", slug=network.slug)


@login_required
@require_http_methods(["GET", "POST"])
def office_closing_days(request, slug: str):
    """List the days the network's office is closed, and close it on another day."""
    network = network_run_by(request, slug)
    form = ClosingDayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            closing_day = closing_day_add(
                network=network,
                date=form.cleaned_data["date"],
                name=form.cleaned_data["name"],
                actor=request.user,
            )
        except REFUSALS as refusal:
            place_refusal(form, refusal)
        else:
            messages.success(
                request,
                _("The office is closed on %(date)s; windows skip it.")
                % {"date": closing_day.date.isoformat()},
            )
            return redirect("network-office-closing-days", slug=network.slug)
    return render(
        request,
        "members/office_closing_days.html",
        {
            "network": network,
            "form": form,
            "closing_days": closing_day_list(network=network),
            "counts_business_hours": network.use_business_hours,
        },
    )


@login_required
@require_POST
def office_closing_day_remove(request, slug: str, closing_day_id: int):
    """Open the office again on a day it had closed."""
    network = network_run_by(request, slug)
    closing_day = closing_day_list(network=network).filter(pk=closing_day_id).first()
    if closing_day is None:
        raise Http404
    closing_day_remove(closing_day=closing_day, actor=request.user)
    messages.success(
        request, _("The office is open on %(date)s.") % {"date": closing_day.date.isoformat()}
    )
    return redirect("network-office-closing-days", slug=network.slug)


@login_required
@require_http_methods(["GET", "POST"])
def nda_page(request, slug: str):
    """Show the network's NDA status for the user's firm, and let the firm sign it."""
    network = visible_network(request, slug)
    membership = access.membership_of(request.user, network)
    if membership is None:
        raise PermissionDenied
    form = NdaSignForm(request.POST or None, initial={"version": network.nda_version})
    if request.method == "POST" and form.is_valid():
        try:
            nda_sign(
                membership=membership,
                signed_by=request.user,
                version=form.cleaned_data["version"],
            )
        except REFUSALS as refusal:
            place_refusal(form, refusal)
        else:
            messages.success(request, _("Your firm signed the NDA."))
            return redirect("network-nda-page", slug=network.slug)
    return render(
        request,
        "members/nda.html",
        {
            "network": network,
            "membership": membership,
            "form": form,
            "signed": access.nda_current(membership, network),
            "may_see_confidential": access.firm_may_see_confidential(membership.firm_id, network),
            "signatures": nda_signature_list(membership=membership),
        },
    )


@login_required
@require_POST
def office_membership_answer(request, slug: str, membership_id: int, answer: str):
    """Approve or decline, as the network's office, a firm's application."""
    network = network_run_by(request, slug)
    membership = membership_list_for_office(network=network).filter(pk=membership_id).first()
    if answer not in ("approve", "decline"):
        raise Http404
    if membership is None or membership.status != Membership.Status.APPLIED:
        raise Http404
    action = membership_approve if answer == "approve" else membership_decline
    try:
        action(membership=membership, actor=request.user)
    except REFUSALS as refusal:
        messages.error(request, " ".join(refusal_texts(refusal)))
    else:
        messages.success(
            request, _("Your answer to %(firm)s is saved.") % {"firm": membership.firm.name}
        )
    return redirect("network-office-memberships", slug=network.slug)


@login_required
def firm_memberships(request):
    """Show the person's firm's networks, invitations waiting for an answer and applications."""
    if request.user.firm_id is None:
        raise Http404
    memberships = list(membership_list_for_firm(user=request.user))
    return render(
        request,
        "members/firm_memberships.html",
        {
            "invitations": [m for m in memberships if m.status == Membership.Status.INVITED],
            "applications": [m for m in memberships if m.status == Membership.Status.APPLIED],
            "others": [
                m
                for m in memberships
                if m.status not in (Membership.Status.INVITED, Membership.Status.APPLIED)
            ],
        },
    )


@login_required
@require_POST
def firm_membership_answer(request, membership_id: int, answer: str):
    """Accept or decline, as one of the firm's people, a network's invitation."""
    membership = membership_list_for_firm(user=request.user).filter(pk=membership_id).first()
    if answer not in ("accept", "decline"):
        raise Http404
    if membership is None or membership.status != Membership.Status.INVITED:
        raise Http404
    action = membership_accept if answer == "accept" else membership_decline
    try:
        action(membership=membership, actor=request.user)
    except REFUSALS as refusal:
        messages.error(request, " ".join(refusal_texts(refusal)))
    else:
        messages.success(
            request,
            _("Your answer to %(network)s is saved.") % {"network": membership.network.name},
        )
    return redirect("network-firm-memberships")


@login_required
@require_POST
def network_apply(request, slug: str):
    """Apply, as one of a firm's people, for the firm to join the network."""
    network = visible_network(request, slug)
    if request.user.firm_id is None:
        raise PermissionDenied
    try:
        membership_apply(network=network, firm=request.user.firm, actor=request.user)
    except REFUSALS as refusal:
        messages.error(request, " ".join(refusal_texts(refusal)))
    else:
        messages.success(request, _("Your firm's application is sent to the network's office."))
    return redirect("network-firm-memberships")


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request):
    """The person's account settings for notices: their cell phone, which kinds of notice
    reach them on which channel, and their quiet hours."""
    preferences = notification_preferences_get(person=request.user)
    form = NotificationPreferencesForm(
        request.POST or None, initial=NotificationPreferencesForm.initial_from(preferences)
    )
    if request.method == "POST" and form.is_valid():
        try:
            notification_preferences_set(
                person=request.user,
                channels=form.channels(),
                quiet_hours_start=form.cleaned_data["quiet_hours_start"],
                quiet_hours_end=form.cleaned_data["quiet_hours_end"],
                sms_number=form.cleaned_data["sms_number"],
                set_sms_number=True,
            )
        except REFUSALS as refusal:
            place_refusal(form, refusal)
        else:
            messages.success(request, _("Your notification settings are saved."))
            return redirect("account-notifications")
    return render(
        request,
        "members/notification_settings.html",
        {"form": form, "time_zone": preferences["time_zone"], "nav_section": "account"},
    )
