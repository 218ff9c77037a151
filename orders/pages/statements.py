"""Statements: what each member firm earned, from which orders, less fees and damages, and
what it was paid. A firm reads its own; an office reads its networks' firms'; nobody
else reads any. Also the bank account a firm is paid to.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from core import access
from core.page_steps import carry_out, not_found
from core.pagination import page_of
from members.selectors import office_networks
from orders.forms import BankAccountForm, StatementFilterForm, bank_account_initial
from orders.page_selectors import (
    bank_account_of_firm,
    manageable_firm_get,
    statement_membership_get,
    statement_memberships_for_page,
)
from orders.performance import firm_performances
from orders.selectors import statements_for
from orders.services import bank_accounts

STATEMENTS_PER_PAGE = 25


def firm_person(request):
    """Refuse people who belong to no firm: customers have no statements."""
    if request.user.firm_id is None:
        raise not_found()


@login_required
def statement_list(request):
    """List the statements the person may read: their firm's, or their networks' firms'."""
    firm_person(request)
    user = request.user
    networks = office_networks(user)
    filters = StatementFilterForm(request.GET or None, networks=networks)
    network = filters.cleaned_data["network"] if filters.is_valid() else None
    page = page_of(
        request,
        statement_memberships_for_page(user, network_slug=network.slug if network else ""),
        per_page=STATEMENTS_PER_PAGE,
    )
    is_office = networks.exists()
    memberships = list(page)
    own_firm_listed = any(membership.firm_id == user.firm_id for membership in memberships)
    return render(
        request,
        "orders/statements.html",
        {
            "page": page,
            # statements_for keeps the memberships' order: each row is one (network, firm).
            "rows": list(zip(memberships, statements_for(memberships), strict=True)),
            "filters": filters,
            "filtered": network is not None,
            "is_office": is_office,
            "own_account": bank_account_of_firm(user.firm) if own_firm_listed else None,
            "own_firm_listed": own_firm_listed,
            # A member firm's own figures over all its orders (an office's firm has none).
            "performance": None if is_office else firm_performances([user.firm_id])[user.firm_id],
            "performance_heading": _("My performance"),
            "nav_section": "payouts" if is_office else "statements",
        },
    )


@login_required
def statement_detail(request, slug: str, firm_id: int):
    """Show one firm's statement in one network, order by order."""
    firm_person(request)
    membership = statement_membership_get(request.user, slug, firm_id)
    statement = statements_for([membership])[0]
    is_office = membership.firm_id != request.user.firm_id
    return render(
        request,
        "orders/statement.html",
        {
            "membership": membership,
            "network": membership.network,
            "statement": statement,
            "account": bank_account_of_firm(membership.firm)
            if access.may_read_firm_bank_account(request.user, membership.firm_id)
            else None,
            "may_change_account": access.may_write_firm_bank_account(
                request.user, membership.firm.pk
            ),
            "is_office": is_office,
            # Over this network's orders: the statement's scope, read by the firm or its office.
            "performance": firm_performances(
                [membership.firm_id], network_ids=[membership.network_id]
            )[membership.firm_id],
            "performance_heading": _("Delivery performance in this network"),
            "nav_section": "payouts" if is_office else "statements",
        },
    )


@login_required
def firm_bank_account(request, firm_id: int):
    """Register or change the account a firm is paid to (its own people); its office reads it."""
    firm = manageable_firm_get(request.user, firm_id)
    account = bank_account_of_firm(firm)
    own = firm.pk == request.user.firm_id
    may_write = access.may_write_firm_bank_account(request.user, firm.pk)

    def render_form(*, bound=None, status=200, problem=""):
        form = (bound or {}).get("form") or BankAccountForm(
            initial=bank_account_initial(account), remitter=False
        )
        context = {
            "owner_name": firm.name,
            "account": account,
            "form": form,
            "remitter": False,
            "may_write": may_write,
            "hold": bank_accounts.payout_holds([firm.pk]).get(firm.pk),
            "problem": problem,
            "back_url": reverse("pages:statement-list") if own else reverse("pages:payout-list"),
            "nav_section": "statements" if own else "payouts",
        }
        return render(request, "orders/bank_account.html", context, status=status)

    if request.method != "POST":
        return render_form()
    if not may_write:
        raise PermissionDenied
    form = BankAccountForm(request.POST, remitter=False)
    return carry_out(
        request,
        forms={"form": form},
        action=lambda: bank_accounts.bank_account_set(
            user=request.user, firm=firm, data=form.account_input()
        ),
        done=_("The bank account of %(firm)s is saved.") % {"firm": firm.name},
        redirect_to=reverse("pages:statement-list") if own else reverse("pages:payout-list"),
        render_again=render_form,
    )
