"""Reads the order, money and payout pages need beyond orders.selectors.

Every function here starts from a scoped selector (the orders a person may see, their
office's networks, their own firm) or is documented as office-only, in which case the
calling view has already checked the person's role, as `allocation_list_for_order` does.
"""

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from core import access
from members.models import Firm, Membership, Network, User
from members.selectors import office_networks
from orders.models import ORDER_THREADS, RFQ, BankAccount, LedgerEntry, Order, TeamMember
from orders.selectors import (
    order_list_for_user,
    payout_batch_list_for_user,
    statement_memberships,
    unread_message_count,
)


def order_list_for_page(user: User, *, status: str = "") -> QuerySet[Order]:
    """Return the person's visible orders, newest first, with what each row shows.

    The team's size and progress, the person's own firm's part and how many messages of
    the order's threads they have not read are read in the same query as the orders, so
    a page of the list costs the same whatever its length.
    """
    orders = order_list_for_user(user)
    if status:
        orders = orders.filter(status=status)
    parts = TeamMember.objects.filter(order=OuterRef("pk"))
    orders = orders.annotate(
        parts_count=Count("team_members", distinct=True),
        parts_done=Count(
            "team_members",
            filter=Q(team_members__state=TeamMember.State.DONE),
            distinct=True,
        ),
        parts_confirmed=Count(
            "team_members",
            filter=Q(team_members__confirmation=TeamMember.Confirmation.CONFIRMED),
            distinct=True,
        ),
        unread_messages=unread_message_count(user, rfq="rfq_id", audiences=ORDER_THREADS),
    )
    if user.is_authenticated and user.firm_id is not None:
        own = parts.filter(firm_id=user.firm_id)
        orders = orders.annotate(
            own_work_package=Subquery(own.values("work_package")[:1]),
            own_state=Subquery(own.values("state")[:1]),
            own_confirmation=Subquery(own.values("confirmation")[:1]),
        )
    return orders.order_by("-created_at", "-id")


def team_firm_choices(order: Order) -> list[Firm]:
    """Return the firms a team may be made of: the order's network's active members."""
    memberships = (
        Membership.objects.filter(network_id=order.network_id, is_active=True)
        .exclude(role=Membership.Role.OFFICE)
        .select_related("firm")
        .order_by("firm__name_en", "firm_id")
    )
    return [membership.firm for membership in memberships]


def firm_names(firm_ids) -> dict[int, str]:
    """Return the names of the given firms (public: the member directory shows them)."""
    ids = [firm_id for firm_id in set(firm_ids) if firm_id]
    return {firm.pk: firm.name for firm in Firm.objects.filter(pk__in=ids)}


def follow_on_requests_for_order(user: User, order: Order) -> QuerySet[RFQ]:
    """Return the follow-on requests of an order that the person may see."""
    return access.rfqs_visible(user, RFQ.objects.filter(follow_on_of=order)).order_by("id")


def follow_on_orders_for_order(user: User, order: Order) -> QuerySet[Order]:
    """Return the orders that followed this one, as far as the person may see them."""
    return order_list_for_user(user).filter(follow_on_of=order).order_by("id")


def origin_order_for(user: User, order: Order) -> Order | None:
    """Return the order this one followed on from, if the person may see it."""
    if order.follow_on_of_id is None:
        return None
    return order_list_for_user(user).filter(pk=order.follow_on_of_id).first()


def ledger_entries_for_order(order: Order) -> QuerySet[LedgerEntry]:
    """Return the order's ledger lines, posting by posting (office only: the caller checks)."""
    return (
        LedgerEntry.objects.filter(posting__order=order)
        .select_related("posting", "firm")
        .order_by("posting_id", "id")
    )


def payout_batches_for_page(user: User, *, network_id: int | None = None, status: str = ""):
    """Return the batches of the person's office's networks, newest first."""
    batches = payout_batch_list_for_user(user)
    if network_id:
        batches = batches.filter(network_id=network_id)
    if status:
        batches = batches.filter(status=status)
    return batches.order_by("-created_at", "-id")


def office_network_accounts(user: User) -> list[tuple[Network, BankAccount | None]]:
    """Return each of the person's office's networks with the account it pays from."""
    networks = list(office_networks(user))
    accounts = {
        account.network_id: account
        for account in BankAccount.objects.filter(network__in=[n.pk for n in networks])
    }
    return [(network, accounts.get(network.pk)) for network in networks]


def office_network_get(user: User, slug: str) -> Network:
    """Return a network whose office the person works for, or 404."""
    network = office_networks(user).filter(slug=slug).first()
    if network is None:
        raise Http404("No such network.")
    return network


def manageable_firm_get(user: User, firm_id: int) -> Firm:
    """Return a firm whose bank account the person may read, or 404.

    That is the person's own firm, a firm that is an active member of a network whose
    office they work for (to read it for payouts), or any firm for platform staff.
    """
    firm = Firm.objects.filter(access.firms_with_readable_bank_accounts(user), pk=firm_id).first()
    if firm is None:
        raise Http404("No such firm.")
    return firm


def bank_account_of_firm(firm: Firm) -> BankAccount | None:
    """Return the firm's payee account (the caller resolved the firm with a scope above)."""
    return BankAccount.objects.filter(firm=firm).first()


def bank_account_of_network(network: Network) -> BankAccount | None:
    """Return the network's remitter account (the caller resolved it as its office's)."""
    return BankAccount.objects.filter(network=network).first()


def statement_memberships_for_page(user: User, *, network_slug: str = "") -> QuerySet[Membership]:
    """Return the (network, firm) pairs whose statements the person may read, for a list."""
    return statement_memberships(user, network_slug=network_slug or None)


def statement_membership_get(user: User, network_slug: str, firm_id: int) -> Membership:
    """Return one statement's membership the person may read, or 404."""
    if firm_id <= 0 or not network_slug:
        # Both narrow the scoped list; without them it would be somebody's first statement.
        raise Http404("No such statement.")
    membership = statement_memberships(user, network_slug=network_slug, firm_id=firm_id).first()
    if membership is None:
        raise Http404("No such statement.")
    return membership
