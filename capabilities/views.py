"""Pages of the directory, firms' profiles, the taxonomy and the office's CSV exchange."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from capabilities.csv_exchange import (
    CsvImportError,
    decode,
    parse_profiles,
    parse_taxonomy,
    write_profiles,
    write_taxonomy,
)
from capabilities.forms import (
    ContactForm,
    CsvUploadForm,
    DirectoryFilterForm,
    FirmCapabilityForm,
    ProfileCsvUploadForm,
)
from capabilities.pagination import DirectoryPaginator, directory_counted_rows
from capabilities.selectors import (
    capability_get,
    capability_list,
    directory_contact_counts,
    directory_contact_list,
    directory_contact_list_for_firm,
    directory_firm_list,
    firm_capability_change_list,
    firm_capability_get,
    firm_capability_list,
    firm_capability_list_for_network,
    firm_editable_by,
    firm_visible_to,
)
from capabilities.services import (
    capabilities_import,
    directory_contact_create,
    firm_capabilities_import,
    firm_capability_remove,
    firm_capability_set,
)
from core import access
from core.errors import REFUSALS, place_refusal
from core.pagination import page_of
from members.models import Firm, Network
from members.selectors import (
    memberships_of_user,
    network_get_visible,
)

DIRECTORY_PAGE_SIZE = 20
PROFILE_FIELDS = (
    "grade",
    "quality_grade",
    "max_part_size_mm",
    "tolerance_um",
    "monthly_capacity",
    "equipment",
    "notes",
    "since",
)


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


def visible_firm(request, firm_id: int) -> Firm:
    firm = firm_visible_to(user=request.user, firm_id=firm_id)
    if firm is None:
        raise Http404
    return firm


def editable_firm(request, firm_id: int) -> Firm:
    """Return the firm if the user may edit its profile; 404 if unseen, else 403."""
    firm = visible_firm(request, firm_id)
    if firm_editable_by(user=request.user, firm_id=firm.pk) is None:
        raise PermissionDenied
    return firm


def _csv_response(filename: str, write) -> HttpResponse:
    buffer = io.StringIO()
    write(buffer)
    # The BOM makes Excel read the file as UTF-8 (Japanese names stay legible).
    response = HttpResponse(
        buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Public directory -------------------------------------------------------------------


@require_GET
def network_directory(request, slug: str):
    """List the network's member firms, searchable and filterable, a page at a time."""
    network = visible_network(request, slug)
    form = DirectoryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    q = filters.get("q", "")
    firms = directory_firm_list(
        network=network,
        q=q,
        capability=filters.get("capability", ""),
        material=filters.get("material", ""),
        grade=filters.get("grade"),
        prefecture=filters.get("prefecture", ""),
    )
    page = page_of(
        request,
        firms,
        per_page=DIRECTORY_PAGE_SIZE,
        paginator_class=DirectoryPaginator,
        counted_rows=directory_counted_rows(q),
    )
    return render(
        request, "capabilities/directory.html", {"network": network, "form": form, "page": page}
    )


@require_GET
def firm_page(request, firm_id: int):
    """Show a firm's capabilities and skill growth, with a way to contact it."""
    firm = visible_firm(request, firm_id)
    may_manage = access.may_manage_firm(request.user, firm.pk)
    network_slug = request.GET.get("network", "")
    return render(
        request,
        "capabilities/firm_page.html",
        {
            "firm": firm,
            "capabilities": firm_capability_list(firm=firm, viewer=request.user),
            "changes": firm_capability_change_list(firm=firm, viewer=request.user)[:50],
            "may_manage": may_manage,
            "contacts": directory_contact_list_for_firm(firm=firm)[:20] if may_manage else [],
            "network_slug": network_slug,
        },
    )


@require_http_methods(["GET", "POST"])
def firm_contact(request, firm_id: int):
    """Send a message to a firm from the directory, and count it for the network."""
    firm = visible_firm(request, firm_id)
    capabilities = firm_capability_list(firm=firm, viewer=request.user)
    form = ContactForm(
        request.POST or None,
        capabilities=capabilities,
        initial={"network": request.GET.get("network", "")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        network = None
        if data["network"]:
            network = network_get_visible(slug=data["network"], user=request.user)
        try:
            directory_contact_create(
                firm=firm,
                network=network,
                capability=capability_get(code=data["capability"]) if data["capability"] else None,
                sender_name=data["sender_name"],
                sender_email=data["sender_email"],
                sender_organization=data["sender_organization"],
                message=data["message"],
                sent_by=request.user,
            )
        except REFUSALS as refusal:
            place_refusal(form, refusal)
        else:
            messages.success(request, _("Your message was sent to %(firm)s.") % {"firm": firm.name})
            return redirect("firm-page", firm_id=firm.pk)
    return render(request, "capabilities/firm_contact.html", {"firm": firm, "form": form})


# --- A firm's profile ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def firm_profile_edit(request, firm_id: int):
    """List the firm's capabilities with links to change them, and add one."""
    firm = editable_firm(request, firm_id)
    form = FirmCapabilityForm(request.POST or None, adding=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = firm_capability_set(
                firm=firm,
                capability=data["capability"],
                acquired_through_order_id=data["acquired_through_order"],
                changed_by=request.user,
                **{field: data[field] for field in PROFILE_FIELDS},
            )
        except REFUSALS as refusal:
            place_refusal(form, refusal)
        else:
            messages.success(request, _("Saved %(name)s.") % {"name": item.capability.name})
            return redirect("firm-profile-edit", firm_id=firm.pk)
    return render(
        request,
        "capabilities/profile_edit.html",
        {
            "firm": firm,
            "form": form,
            "capabilities": firm_capability_list(firm=firm, viewer=request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def firm_capability_edit(request, firm_id: int, code: str):
    """Change one capability of the firm's profile."""
    firm = editable_firm(request, firm_id)
    item = firm_capability_get(firm=firm, code=code, viewer=request.user)
    if item is None:
        raise Http404
    initial = {field: getattr(item, field) for field in PROFILE_FIELDS}
    initial["quality_grade"] = item.quality_grade_id
    initial["acquired_through_order"] = item.acquired_through_order_id
    form = FirmCapabilityForm(request.POST or None, adding=False, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            firm_capability_set(
                firm=firm,
                capability=item.capability,
                acquired_through_order_id=data["acquired_through_order"],
                changed_by=request.user,
                **{field: data[field] for field in PROFILE_FIELDS},
            )
        except REFUSALS as refusal:
            place_refusal(form, refusal)
        else:
            messages.success(request, _("Saved %(name)s.") % {"name": item.capability.name})
            return redirect("firm-profile-edit", firm_id=firm.pk)
    return render(
        request, "capabilities/capability_edit.html", {"firm": firm, "item": item, "form": form}
    )


@login_required
@require_POST
def firm_capability_remove_view(request, firm_id: int, code: str):
    """Remove one capability from the firm's profile."""
    firm = editable_firm(request, firm_id)
    item = firm_capability_get(firm=firm, code=code, viewer=request.user)
    if item is None:
        raise Http404
    firm_capability_remove(firm=firm, capability=item.capability, changed_by=request.user)
    messages.success(request, _("Removed %(name)s.") % {"name": item.capability.name})
    return redirect("firm-profile-edit", firm_id=firm.pk)


@login_required
@require_GET
def my_firm_profile(request):
    """Send a member firm's user to their firm's profile page."""
    if request.user.firm_id is None:
        raise Http404
    return redirect("firm-profile-edit", firm_id=request.user.firm_id)


# --- The office's pages --------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def office_profiles_import(request, slug: str):
    """Load the members' profiles from a CSV file: all rows or, if any is bad, none."""
    network = network_run_by(request, slug)
    form = ProfileCsvUploadForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            rows = parse_profiles(decode(form.cleaned_data["file"].read()), network=network)
            summary = firm_capabilities_import(
                rows=rows, replace=form.cleaned_data["replace"], changed_by=request.user
            )
        except CsvImportError as error:
            problems = error.problems
        else:
            messages.success(
                request,
                _(
                    "Imported %(rows)s rows for %(firms)s firms: %(changes)s changes, "
                    "%(removed)s removed."
                )
                % summary,
            )
            return redirect("network-office-import", slug=network.slug)
    return render(
        request,
        "capabilities/office_import.html",
        {"network": network, "form": form, "problems": problems},
    )


@login_required
@require_GET
def office_profiles_export(request, slug: str):
    """Download the members' profiles as CSV, in the format the import reads."""
    network = network_run_by(request, slug)
    items = firm_capability_list_for_network(network=network)
    stamp = timezone.localdate().isoformat()
    return _csv_response(
        f"{network.slug}-profiles-{stamp}.csv", lambda stream: write_profiles(items, stream)
    )


@login_required
@require_GET
def office_contacts(request, slug: str):
    """Show how many customers contacted each member directly through the directory."""
    network = network_run_by(request, slug)
    return render(
        request,
        "capabilities/office_contacts.html",
        {
            "network": network,
            "firms": directory_contact_counts(network=network),
            "contacts": directory_contact_list(network=network)[:50],
        },
    )


# --- The taxonomy --------------------------------------------------------------------------


@require_GET
def taxonomy_page(request):
    """Show the capability taxonomy, in both languages."""
    return render(
        request,
        "capabilities/taxonomy.html",
        {
            "capabilities": capability_list(),
            "is_staff": access.is_staff(request.user),
            "memberships": memberships_of_user(user=request.user),
        },
    )


@require_GET
def taxonomy_export(request):
    """Download the taxonomy as CSV (it is public)."""
    capabilities = capability_list()
    return _csv_response("capabilities.csv", lambda stream: write_taxonomy(capabilities, stream))


@login_required
@require_http_methods(["GET", "POST"])
def taxonomy_import(request):
    """Load taxonomy nodes from CSV (platform staff): all rows or, if any is bad, none."""
    if not access.is_staff(request.user):
        raise PermissionDenied
    form = CsvUploadForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            summary = capabilities_import(
                rows=parse_taxonomy(decode(form.cleaned_data["file"].read()))
            )
        except CsvImportError as error:
            problems = error.problems
        else:
            messages.success(
                request,
                _("Imported %(rows)s rows: %(created)s new, %(updated)s changed.") % summary,
            )
            return redirect("taxonomy-page")
    return render(
        request, "capabilities/taxonomy_import.html", {"form": form, "problems": problems}
    )
