"""Who the viewer is, and what they may see and do: the only place that answers it.

Every selector that a person's request triggers asks this module whom it serves and scopes
its rows to what that person may see; every service that writes asks it whether the actor
may act before it locks anything. Pages and API ask the same functions, so the two never
disagree.

The vocabulary:

viewer        the person, their firm, and the networks whose office their firm is: read
              once per request (one query), then asked as often as needed.
rfq role      how a person stands to a request: customer, office, staff (the platform's
              operators, who read like an office), or member (an invited firm's people, or a
              team firm's: on an order's team, or in the group proposal the customer chose).
acting role   the same, but with the firm's own role in the network (administrative,
              stakeholder, coordinator ...), as policies decide who may act.
order role    customer, office, staff, leader (the firm leading the order), member.
NDA gate      a confidential request's details (description, material, requirement notes,
              budget, drawings and their files, thread messages, the events naming them)
              are for the customer, the office and staff, and for member firms with the
              network's current NDA signed.
events        each event is seen by whom the object it speaks of is seen: a firm's answer
              by that firm and the office, a group's proposal by that group, the customer
              and the office, a draft estimate by its composer; the customer reads every
              step of their request, worded for them and without the firms' names or
              answers, and never who did it, only which party ("office", "member firm").
threads       a request's thread with the customer and its internal thread, and once it is
              an order the order's thread with the customer (the leader speaks for the
              team) and the team's: each message, and its attachments, read, counted
              unread and told of by whom may read it (`messages_readable`).

This module imports no project app (models are looked up by name when first needed), so
that every app may ask it.
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import cached_property
from typing import Any

from django.apps import apps
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL

OFFICE = "office"
STAFF = "staff"
CUSTOMER = "customer"
MEMBER = "member"
LEADER = "leader"
# How the customer reads who acted on their timeline: by party, never by name.
MEMBER_FIRM = "member firm"
PLATFORM = "platform"
OFFICE_ROLES = (OFFICE, STAFF)
# The network policy whose groups compete: a group's proposal and messages are its own.
COMPETING_GROUPS = "competing_groups"
# Who sees an order's price and what was paid: not the team's other firms.
MONEY_ROLES = (*OFFICE_ROLES, CUSTOMER, LEADER)

# The viewers of the request being served, by user; None outside a request (a worker, a
# shell, a test calling a service), where every question reads the database afresh.
_viewers: ContextVar[dict | None] = ContextVar("core_access_viewers", default=None)


def viewers_begin(**_signal: Any) -> None:
    _viewers.set({})


def viewers_end(**_signal: Any) -> None:
    _viewers.set(None)


def _model(label: str):
    return apps.get_model(label)


class Viewer:
    """One person as access sees them: their firm, its memberships, the networks it runs."""

    def __init__(self, user) -> None:
        self.user = user
        self.authenticated = bool(user is not None and user.is_authenticated)
        self.pk = user.pk if self.authenticated else None
        self.firm_id = user.firm_id if self.authenticated else None
        self.is_staff = bool(self.authenticated and user.is_active and user.is_staff)
        self._office_firms: dict[int, frozenset[int]] = {}
        self._on_team: dict[int, bool] = {}

    @cached_property
    def memberships(self) -> dict:
        """Return the firm's active memberships by network id (the firm active too)."""
        if self.firm_id is None:
            return {}
        membership = _model("members.Membership")
        return {
            row.network_id: row
            for row in membership.objects.filter(
                firm_id=self.firm_id, is_active=True, firm__is_active=True
            )
        }

    @cached_property
    def office_network_ids(self) -> frozenset[int]:
        """Return the ids of the networks whose office the person's firm is."""
        return frozenset(
            network_id
            for network_id, membership in self.memberships.items()
            if membership.role == OFFICE
        )

    @cached_property
    def group_ids(self) -> frozenset[int]:
        """Return the competing groups the firm coordinates: it speaks for their proposals."""
        if self.firm_id is None:
            return frozenset()
        groups = _model("members.NetworkGroup").objects.filter(coordinator_id=self.firm_id)
        return frozenset(groups.values_list("pk", flat=True))

    def membership_in(self, network_id: int):
        return self.memberships.get(network_id)

    def runs(self, network_id: int) -> bool:
        """Return whether the person works for the network's office (staff do not)."""
        return network_id in self.office_network_ids

    def runs_or_operates(self, network_id: int) -> bool:
        """Return whether the person works for the network's office or is platform staff."""
        return self.is_staff or self.runs(network_id)

    def office_firm_ids(self, network_id: int) -> frozenset[int]:
        """Return the firms that are the network's office (read once per network)."""
        if network_id not in self._office_firms:
            self._office_firms[network_id] = frozenset(
                _model("members.Membership")
                .objects.filter(network_id=network_id, role=OFFICE, is_active=True)
                .values_list("firm_id", flat=True)
            )
        return self._office_firms[network_id]


def viewer_of(user) -> Viewer:
    """Return the viewer for a user (or a viewer already), once per request."""
    if isinstance(user, Viewer):
        return user
    viewers = _viewers.get()
    if viewers is None:
        return Viewer(user)
    key = (
        getattr(user, "pk", None),
        getattr(user, "firm_id", None),
        bool(getattr(user, "is_staff", False)),
    )
    if key not in viewers:
        viewers[key] = Viewer(user)
    return viewers[key]


# --- People in networks ------------------------------------------------------------------


def is_staff(user) -> bool:
    """Return whether the person is one of the platform's operators."""
    return viewer_of(user).is_staff


def office_network_ids(user) -> frozenset[int]:
    """Return the ids of the networks whose office the person works for."""
    return viewer_of(user).office_network_ids


def membership_of(user, network):
    """Return the active membership of the person's firm in the network, if any."""
    return viewer_of(user).membership_in(network.pk)


def is_office(user, network) -> bool:
    """Return whether the person works for the network's office (staff do not)."""
    return viewer_of(user).runs(network.pk)


def runs_network(user, network) -> bool:
    """Return whether the person works for the network's office or is platform staff."""
    return viewer_of(user).runs_or_operates(network.pk)


def may_manage_firm(user, firm_id: int) -> bool:
    """Return whether the person may edit the firm's profile: its people, its office, staff."""
    viewer = viewer_of(user)
    if not viewer.authenticated or not viewer.user.is_active:
        return False
    if viewer.firm_id == firm_id or viewer.is_staff:
        return True
    if not viewer.office_network_ids:
        return False
    return (
        _model("members.Membership")
        .objects.filter(firm_id=firm_id, network_id__in=viewer.office_network_ids, is_active=True)
        .exists()
    )


def firm_performance_networks(user, firm_id: int) -> frozenset[int] | None:
    """Return over which networks' orders the person may read a firm's delivery figures.

    None: over all of them (the firm's own people, platform staff); for an office, its
    networks where the firm is an active member; for anyone else none (an empty set).
    """
    viewer = viewer_of(user)
    if not viewer.authenticated or not viewer.user.is_active:
        return frozenset()
    if viewer.firm_id == firm_id or viewer.is_staff:
        return None
    return frozenset(
        _model("members.Membership")
        .objects.filter(firm_id=firm_id, network_id__in=viewer.office_network_ids, is_active=True)
        .values_list("network_id", flat=True)
    )


# --- NDAs --------------------------------------------------------------------------------

# --- Where a firm is paid --------------------------------------------------------------


def may_write_firm_bank_account(user, firm_id: int) -> bool:
    """Return whether the person may set the firm's bank account: its people, staff.

    Never a network's office: an office that could rewrite where a member is paid could
    divert the member's money.
    """
    viewer = viewer_of(user)
    if not viewer.authenticated or not viewer.user.is_active:
        return False
    return viewer.firm_id == firm_id or viewer.is_staff


def may_read_firm_bank_account(user, firm_id: int) -> bool:
    """Return whether the person may read the firm's bank account.

    Who may write it, and the office of a network where the firm is an active member (to
    pay it out).
    """
    if may_write_firm_bank_account(user, firm_id):
        return True
    viewer = viewer_of(user)
    if not viewer.authenticated or not viewer.user.is_active or not viewer.office_network_ids:
        return False
    return (
        _model("members.Membership")
        .objects.filter(firm_id=firm_id, network_id__in=viewer.office_network_ids, is_active=True)
        .exists()
    )


def firms_with_readable_bank_accounts(user) -> Q:
    """Return a filter on Firm for the firms whose bank account the person may read."""
    viewer = viewer_of(user)
    if not viewer.authenticated or not viewer.user.is_active:
        return Q(pk__in=[])
    if viewer.is_staff:
        return Q()
    active_members = (
        _model("members.Membership")
        .objects.filter(network_id__in=viewer.office_network_ids, is_active=True)
        .values("firm_id")
    )
    return Q(pk=viewer.firm_id) | Q(pk__in=active_members)


def nda_current(membership, network) -> bool:
    """Return whether the membership signed the network's current NDA version.

    A network that names no version has no NDA anyone can have signed (fail closed).
    """
    return bool(
        network.nda_version
        and membership.nda_signed_at is not None
        and membership.nda_version == network.nda_version
    )


def _active_membership(firm_id: int, network):
    return (
        _model("members.Membership")
        .objects.filter(network=network, firm_id=firm_id, is_active=True, firm__is_active=True)
        .first()
    )


def firm_signed_nda(firm_id: int, network) -> bool:
    """Return whether the firm, an active member, signed the network's current NDA."""
    membership = _active_membership(firm_id, network)
    return membership is not None and nda_current(membership, network)


def _membership_may_see_confidential(membership, network) -> bool:
    if membership is None:
        return False
    if membership.role == OFFICE or not network.nda_required:
        return True
    return nda_current(membership, network)


def firm_may_see_confidential(firm_id: int, network) -> bool:
    """Return whether a firm may read the network's confidential requests' details.

    That is when the firm is an active member and either the network requires no NDA or
    the firm signed its current version; the office always may (it is the NDA's
    counterparty and receives every request).
    """
    return _membership_may_see_confidential(_active_membership(firm_id, network), network)


# --- Requests ----------------------------------------------------------------------------


def rfqs_visible(user, requests: QuerySet) -> QuerySet:
    """Narrow `requests` to those a person may see: their own, their office's, their firm's.

    A firm's are those it was invited to, leads, or works on as a team firm (on the order's
    team, or named in the group proposal the customer chose).

    Each reason alone is an index lookup, but ORed together in one condition they make
    PostgreSQL read every request. So the few requests the person takes part in (as the
    customer, through an invitation of their firm, or as its leader) are gathered as one
    set of ids, and only the office's networks, whose requests are many, stay a plain
    condition that the newest-first index serves row by row. Nobody but its customer
    (and the platform's staff) sees a draft.
    """
    viewer = viewer_of(user)
    if not viewer.authenticated:
        return requests.none()
    if viewer.is_staff:
        return requests
    if viewer.firm_id is None:
        return requests.filter(customer_id=viewer.pk)
    rfq = requests.model
    taking_part = (
        rfq.objects.filter(customer_id=viewer.pk)
        .order_by()
        .values("pk")
        .union(
            _model("brokerage.Invitation")
            .objects.filter(firm_id=viewer.firm_id)
            .order_by()
            .values("rfq_id"),
            rfq.objects.filter(leader_firm_id=viewer.firm_id).order_by().values("pk"),
            _team_rfq_ids(viewer.firm_id),
            _chosen_group_rfq_ids(viewer.firm_id),
            all=True,
        )
    )
    # A draft is its customer's unfinished text: the office sees it once it is submitted.
    office = Q(network_id__in=viewer.office_network_ids) & ~Q(status="draft")
    return requests.filter(Q(pk__in=taking_part) | office)


def _team_rfq_ids(firm_id: int) -> QuerySet:
    """Return (as a subquery) the requests whose order has the firm on its team.

    Unless it declined its part. Like an invitee, a team firm reads the request's details
    only under the NDA rule (`rfq_details_visible`).
    """
    return (
        _model("orders.TeamMember")
        .objects.filter(firm_id=firm_id)
        .exclude(confirmation="declined")
        .order_by()
        .values("order__rfq_id")
    )


def _chosen_group_rfq_ids(firm_id: int) -> QuerySet:
    """Return (as a subquery) the requests whose chosen group proposal names the firm.

    Until the order's team is set: from then on the team says who works on it.
    """
    team_set = _model("orders.TeamMember").objects.filter(order__rfq_id=OuterRef("rfq_id"))
    proposals = _model("brokerage.GroupProposal")
    if connection.vendor == "postgresql":
        naming = Q(team_firm_ids__contains=[firm_id])
    else:
        # SQLite (`make run`'s embedded default) has no JSON containment in Django: its
        # json_each lists the team's firms instead.
        table = proposals._meta.db_table
        naming = Q(
            pk__in=RawSQL(
                f"SELECT {table}.id FROM {table}, json_each({table}.team_firm_ids) "
                "WHERE json_each.value = %s",
                [firm_id],
            )
        )
    return (
        proposals.objects.filter(naming, status="chosen")
        .exclude(Exists(team_set))
        .order_by()
        .values("rfq_id")
    )


def rfq_role(user, rfq) -> str:
    """Return how a person who may see the request stands to it."""
    viewer = viewer_of(user)
    if viewer.pk is not None and viewer.pk == rfq.customer_id:
        return CUSTOMER
    if viewer.is_staff:
        return STAFF
    if viewer.runs(rfq.network_id):
        return OFFICE
    return MEMBER


def rfq_acting_role(user, rfq) -> str | None:
    """Return the role a person acts in on a request, as policies name it.

    The customer, the office, the firm's own role in the network (administrative,
    stakeholder, coordinator, member ...), platform staff, or None for anyone else.
    """
    viewer = viewer_of(user)
    if not viewer.authenticated:
        return None
    if viewer.pk == rfq.customer_id:
        return CUSTOMER
    membership = viewer.membership_in(rfq.network_id)
    if membership is not None:
        return membership.role
    if viewer.is_staff:
        return STAFF
    return None


def rfq_details_visible(user, rfq) -> bool:
    """Return whether the person may read a confidential request's details and files."""
    if not rfq.confidential or rfq_role(user, rfq) != MEMBER:
        return True
    viewer = viewer_of(user)
    return _membership_may_see_confidential(viewer.membership_in(rfq.network_id), rfq.network)


def leads_rfq(user, rfq) -> bool:
    """Return whether the person's firm was designated the request's project leader."""
    firm_id = viewer_of(user).firm_id
    return firm_id is not None and firm_id == rfq.leader_firm_id


def may_compose_estimate(user, rfq) -> bool:
    """The office composes and sends a request's estimate, or the designated leader."""
    return rfq_acting_role(user, rfq) == OFFICE or leads_rfq(user, rfq)


def may_triage(user, rfq) -> bool:
    """Only the network's own office triages a request no member firm covers."""
    return is_office(user, rfq.network)


def may_attach_drawing(user, rfq) -> bool:
    """The customer attaches drawings to their request, or the office for them."""
    return rfq_role(user, rfq) in (CUSTOMER, OFFICE)


def may_reissue_estimate(user, rfq) -> bool:
    """The office re-issues an expired estimate: the network answers for its prices."""
    return rfq_acting_role(user, rfq) == OFFICE


def may_change_draft(user, rfq) -> bool:
    """A draft is its customer's alone to edit, complete, submit or delete."""
    return viewer_of(user).pk == rfq.customer_id


def may_withdraw(user, rfq) -> bool:
    """The customer who asked withdraws their request."""
    return viewer_of(user).pk == rfq.customer_id


def may_write_thread(user, rfq, audience: str) -> bool:
    """Return whether the person may write on one of a request's threads.

    The customer writes to the network; a member firm internally, its leader to both;
    a member firm that may not read a confidential request's details writes on neither.
    """
    audiences = _model("orders.Message").Audience
    if audience in (audiences.ORDER_CUSTOMER, audiences.TEAM):
        order = _model("orders.Order").objects.filter(rfq_id=rfq.pk).first()
        return order is not None and may_write_order_thread(user, order, audience)
    role = rfq_role(user, rfq)
    if audience not in audiences.values:
        return False
    if role in OFFICE_ROLES:
        return True
    if role == CUSTOMER:
        return audience == audiences.CUSTOMER
    if not rfq_details_visible(user, rfq):
        return False
    return audience == audiences.INTERNAL or leads_rfq(user, rfq)


def may_write_order_thread(user, order, audience: str) -> bool:
    """Return whether the person may write on one of an order's threads.

    The office (and staff) on both; the customer with the team's leader, who writes on
    both; a firm of the team on the team's thread. A team firm that may not read a
    confidential request's details writes on neither.
    """
    audiences = _model("orders.Message").Audience
    role = order_role(user, order)
    if audience not in (audiences.ORDER_CUSTOMER, audiences.TEAM):
        return False
    if role in OFFICE_ROLES:
        return True
    if role == CUSTOMER:
        return audience == audiences.ORDER_CUSTOMER
    if not rfq_details_visible(user, order.rfq):
        return False
    if role == LEADER:
        return True
    return audience == audiences.TEAM and on_order_team(user, order)


def order_threads_readable(user, order) -> tuple[str, ...]:
    """Return the order's threads the person reads (as `messages_readable` says in SQL)."""
    audiences = _model("orders.Message").Audience
    role = order_role(user, order)
    both = (audiences.ORDER_CUSTOMER, audiences.TEAM)
    if role in OFFICE_ROLES:
        return both
    if role == CUSTOMER:
        return (audiences.ORDER_CUSTOMER,)
    if not rfq_details_visible(user, order.rfq):
        return ()
    if role == LEADER:
        return both
    return (audiences.TEAM,) if on_order_team(user, order) else ()


def on_order_team(user, order) -> bool:
    """Return whether the person's firm has a part on the order's team (not declined)."""
    viewer = viewer_of(user)
    if viewer.firm_id is None:
        return False
    if order.pk not in viewer._on_team:
        parts = _team_parts(order_id=order.pk).filter(firm_id=viewer.firm_id)
        viewer._on_team[order.pk] = parts.exists()
    return viewer._on_team[order.pk]


def _team_parts(**order) -> QuerySet:
    """Return the parts of an order's team (by `order_id` or `order__rfq_id`) not declined."""
    return _model("orders.TeamMember").objects.filter(**order).exclude(confirmation="declined")


def _confidential_network_ids(firm_id: int) -> QuerySet:
    """Return (as a subquery) the networks whose confidential requests the firm may read.

    The same rule as `_membership_may_see_confidential`, in SQL: the office, a network
    requiring no NDA, or the network's current NDA signed.
    """
    nda_current_here = (
        Q(nda_signed_at__isnull=False)
        & ~Q(network__nda_version="")
        & Q(nda_version=F("network__nda_version"))
    )
    return (
        _model("members.Membership")
        .objects.filter(firm_id=firm_id, is_active=True, firm__is_active=True)
        .filter(Q(role=OFFICE) | Q(network__nda_required=False) | nda_current_here)
        .values("network_id")
    )


def messages_readable(user) -> Q:
    """Return a filter on thread messages (orders.Message): those the person may read.

    The customer reads the thread with the customer of their own requests; the office (and
    staff) every thread of its networks' requests. A member firm reads the internal thread
    of a request it takes part in, and its project leader the customer's thread too, where
    the firm may read the request's details (a confidential one needs the current NDA).
    Where groups compete for the order, a coordinator reads only its own firm's and the
    office's internal messages, never a rival group's. Once the request is an order, the
    customer reads the order's thread with them, the order's leader that one and the
    team's, and a firm on the team (not having declined its part) the team's. The caller
    scopes the requests to those the person may see; one condition serves a thread, a
    page's threads and the unread counts of a whole list, so that they never disagree.
    """
    viewer = viewer_of(user)
    if not viewer.authenticated:
        return Q(pk__in=[])
    audiences = _model("orders.Message").Audience
    own = Q(rfq__customer_id=viewer.pk)
    as_customer = own & Q(audience__in=[audiences.CUSTOMER, audiences.ORDER_CUSTOMER])
    if viewer.is_staff:
        return ~own | as_customer
    if viewer.firm_id is None:
        return as_customer
    office = Q(rfq__network_id__in=viewer.office_network_ids)
    by_office = Exists(
        _model("members.Membership").objects.filter(
            firm_id=OuterRef("author__firm_id"), network_id=OuterRef("rfq__network_id"), role=OFFICE
        )
    )
    internal = Q(audience=audiences.INTERNAL) & (
        ~Q(rfq__network__policy=COMPETING_GROUPS) | Q(author__firm_id=viewer.firm_id) | by_office
    )
    with_customer = Q(audience=audiences.CUSTOMER, rfq__leader_firm_id=viewer.firm_id)
    leads_order = Q(rfq__order__leader_firm_id=viewer.firm_id)
    on_team = Q(rfq_id__in=_team_rfq_ids(viewer.firm_id))
    order_threads = (Q(audience=audiences.ORDER_CUSTOMER) & leads_order) | (
        Q(audience=audiences.TEAM) & (leads_order | on_team)
    )
    details = Q(rfq__confidential=False) | Q(
        rfq__network_id__in=_confidential_network_ids(viewer.firm_id)
    )
    as_member = ~office & details & (internal | with_customer | order_threads)
    return as_customer | (~own & (office | as_member))


def message_reader_firm_ids(rfq, audience: str, author) -> frozenset[int]:
    """Return the firms whose people may read a new message on one of a request's threads.

    The thread's side of `messages_readable`, for telling them: the network's office, and
    of the firms taking part (invited, leading, or on the order's team) those that may read
    the request's details: on the thread with the customer the leader only; on the
    internal one, where groups compete, only the author's own firm unless the office
    wrote; on the order's thread with the customer its leader, on the team's its leader
    and team firms. The customer of a thread with the customer is not a firm: the caller
    adds them.
    """
    membership = _model("members.Membership")
    office_firms = set(
        membership.objects.filter(
            network_id=rfq.network_id, role=OFFICE, is_active=True
        ).values_list("firm_id", flat=True)
    )
    audiences = _model("orders.Message").Audience
    if audience in (audiences.ORDER_CUSTOMER, audiences.TEAM):
        order = _model("orders.Order").objects.get(rfq_id=rfq.pk)
        taking_part = {order.leader_firm_id}
        if audience == audiences.TEAM:
            taking_part |= set(_team_parts(order_id=order.pk).values_list("firm_id", flat=True))
    elif audience == audiences.CUSTOMER:
        taking_part = {rfq.leader_firm_id} - {None}
    else:
        taking_part = (
            set(
                _model("brokerage.Invitation")
                .objects.filter(rfq_id=rfq.pk)
                .values_list("firm_id", flat=True)
            )
            | set(_team_parts(order__rfq_id=rfq.pk).values_list("firm_id", flat=True))
            | ({rfq.leader_firm_id} - {None})
        )
        author_firm_id = getattr(author, "firm_id", None)
        if rfq.network.policy == COMPETING_GROUPS and author_firm_id not in office_firms:
            taking_part &= {author_firm_id}
    taking_part -= office_firms
    if rfq.confidential and taking_part:
        taking_part = {
            row.firm_id
            for row in membership.objects.filter(
                network_id=rfq.network_id,
                firm_id__in=taking_part,
                is_active=True,
                firm__is_active=True,
            )
            if _membership_may_see_confidential(row, rfq.network)
        }
    return frozenset(office_firms | taking_part)


# --- Orders ------------------------------------------------------------------------------


def order_role(user, order) -> str:
    """Return how a person who may see the order stands to it."""
    viewer = viewer_of(user)
    if viewer.pk is not None and viewer.pk == order.customer_id:
        return CUSTOMER
    if viewer.is_staff:
        return STAFF
    if viewer.runs(order.network_id):
        return OFFICE
    if viewer.firm_id is not None and viewer.firm_id == order.leader_firm_id:
        return LEADER
    return MEMBER


def sees_whole_team(role: str) -> bool:
    """The office and the leader see every part of a team; a member firm its own."""
    return role in (*OFFICE_ROLES, LEADER)


def may_rate_order(user, order) -> bool:
    """The customer who ordered rates the order; nobody rates it for them."""
    viewer = viewer_of(user)
    return viewer.pk is not None and viewer.pk == order.customer_id


def leads_order(user, order) -> bool:
    """Return whether the person's firm leads the order."""
    firm_id = viewer_of(user).firm_id
    return firm_id is not None and firm_id == order.leader_firm_id


# --- Timelines ---------------------------------------------------------------------------

# What the customer's request timeline shows, and what of each event's data they read:
# every step of their request, never who was asked, who answered what, or at which price.
CUSTOMER_RFQ_EVENTS: dict[str, frozenset[str]] = {
    kind: frozenset(keys)
    for kind, keys in {
        "rfq.submitted": ("channel", "estimate_due_at"),
        # How the network took it on; the firms asked are counted where the policy shows
        # the customer how many (see `rfq_event_data`), never named.
        "rfq.routed": ("policy", "status"),
        "rfq.accepted_by_board": (),
        "rfq.no_bid": ("reason",),
        # Nobody covered it (why): the office looks for firms and decides by `closes_at`.
        "rfq.triage": ("reason", "closes_at"),
        "rfq.triage_invited": (),
        "rfq.requirements_corrected": (),
        "rfq.cancelled": ("reason", "note"),
        "rfq.follow_on_of": ("order",),
        "interview.scheduled": ("at", "place"),
        "interview.recorded": (),
        "planning.scheduled": ("at",),
        "phases.selected": (),
        "proposal.submitted": (),
        "proposal.chosen": (),
        "leader.designated": ("firm", "firm_name", "reason"),
        # A draft is being prepared: neither its version nor its total until it is sent.
        "estimate.created": (),
        "estimate.sent": ("estimate", "version", "on_time"),
        "estimate.accepted": ("estimate", "order"),
        "estimate.declined": ("estimate", "reason"),
        "estimate.expired": ("estimate", "version", "valid_until"),
        "estimate.reissued": ("estimate", "version", "valid_until"),
        "drawing.attached": ("drawing", "name"),
        # Which promise was late: the interview, the planning meeting or the estimate.
        "deadline.estimate": ("stage",),
    }.items()
}
# Where the members' answers decide whether the request can be done, the customer follows
# them as they come in: whether each can do it, never which firm it was or its price.
CUSTOMER_ANSWER_POLICIES = ("competency_broadcast",)
CUSTOMER_ANSWER_DATA = frozenset({"can_do"})
# Where the customer is told how many were asked: the firms of a broadcast, the groups
# that will propose. A syndicate's board and a consultation speak as one network.
CUSTOMER_COUNT_POLICIES = ("competency_broadcast", COMPETING_GROUPS)
# Events about one group's proposal: the group's, the customer's and the office's.
PROPOSAL_EVENT_KINDS = ("proposal.submitted", "proposal.chosen")
# Events about an estimate: its composer's (the leader's) and the office's; the customer
# reads those of the estimates sent to them, and of a draft only that one is being prepared.
ESTIMATE_EVENT_KINDS = (
    "estimate.created",
    "estimate.sent",
    "estimate.accepted",
    "estimate.declined",
    "estimate.expired",
    "estimate.reissued",
)
# Events that name the request's details: for those who may read them.
DETAIL_EVENT_KINDS = ("drawing.attached",)

# The customer's order timeline: the steps that concern them, never the internal split.
CUSTOMER_ORDER_EVENT_KINDS = frozenset(
    {
        "order.created",
        "order.in_production",
        "work_package.updated",
        "delivery.recorded",
        "delivery.document_attached",
        "delivery.received",
        "order.delivered",
        "invoice.issued",
        "payment.recorded",
        "refund.issued",
        "order.completed",
        "order.follow_on_requested",
        "order.rated",
        "order.rating_changed",
    }
)
# A member firm's order timeline: the team's progress, of the money only its own faults.
MEMBER_ORDER_EVENT_KINDS = frozenset(
    {
        "order.created",
        "team.set",
        "team.member_confirmed",
        "team.member_declined",
        "order.in_production",
        "work_package.updated",
        "delivery.recorded",
        "delivery.document_attached",
        "delivery.received",
        "order.delivered",
        "order.completed",
        "order.follow_on_requested",
        "order.rated",
        "order.rating_changed",
    }
)
# The events about one delivery (their data names it).
DELIVERY_EVENT_KINDS = ("delivery.recorded", "delivery.document_attached", "delivery.received")
CUSTOMER_ORDER_EVENT_DATA = frozenset(
    {
        "work_package",
        "state",
        "started_on",
        "finished_on",
        "delivery",
        "document",
        "name",
        "final",
        "invoice",
        "number",
        "total",
        "payment",
        "amount",
        "method",
        "owed",
        "refund",
        "rfq",
        "rating",
        "quality",
        "communication",
    }
)
MEMBER_ORDER_EVENT_DATA = CUSTOMER_ORDER_EVENT_DATA - {
    "total",
    "payment",
    "method",
    "owed",
    "refund",
} | {"firm", "firms", "part", "fault_claim", "reason", "to_confirm"}


def rfq_events_visible(user, rfq, events: QuerySet) -> QuerySet:
    """Return the request's events the person may see (see the module docstring)."""
    role = rfq_role(user, rfq)
    if role in OFFICE_ROLES:
        return events
    if role == CUSTOMER:
        kinds = [*CUSTOMER_RFQ_EVENTS]
        if rfq.network.policy in CUSTOMER_ANSWER_POLICIES:
            kinds.append("invitation.answered")
        return events.filter(kind__in=kinds)
    viewer = viewer_of(user)
    firm_id = viewer.firm_id
    hidden = Q(kind="invitation.answered") & ~Q(data__firm=firm_id)
    # A deadline that names one firm (its answer was overdue) is that firm's business.
    hidden |= Q(kind__startswith="deadline.", data__has_key="firm") & ~Q(data__firm=firm_id)
    groups = sorted(viewer.group_ids)
    hidden |= (
        Q(kind__in=PROPOSAL_EVENT_KINDS) & ~Q(data__group__in=groups)
        if groups
        else Q(kind__in=PROPOSAL_EVENT_KINDS)
    )
    if rfq.network.policy == COMPETING_GROUPS:
        hidden |= Q(kind="board.decided")
    if firm_id is None or firm_id != rfq.leader_firm_id:
        hidden |= Q(kind__in=ESTIMATE_EVENT_KINDS)
    if not rfq_details_visible(user, rfq):
        hidden |= Q(kind__in=DETAIL_EVENT_KINDS)
    return events.exclude(hidden)


# Lists of the firms a step invited, each with its rank and the reasons (grade, load) it
# was chosen: a member firm reads its own entry, never its rivals'.
INVITED_LISTS = ("invited", "planning_invited")


def rfq_event_data(user, rfq, kind: str, data: dict) -> dict:
    """Return what of a request event's data the person may read."""
    role = rfq_role(user, rfq)
    if role in OFFICE_ROLES:
        return data
    if role == CUSTOMER:
        if kind == "invitation.answered":
            keys = CUSTOMER_ANSWER_DATA
        else:
            keys = CUSTOMER_RFQ_EVENTS.get(kind, frozenset())
        readable = {key: value for key, value in data.items() if key in keys}
        invited = data.get("invited")
        if kind == "rfq.routed" and rfq.network.policy in CUSTOMER_COUNT_POLICIES:
            readable["count"] = len(invited) if isinstance(invited, list) else 0
        return readable
    firm_id = viewer_of(user).firm_id
    return {
        key: [entry for entry in value if isinstance(entry, dict) and entry.get("firm") == firm_id]
        if key in INVITED_LISTS and isinstance(value, list)
        else value
        for key, value in data.items()
    }


def order_events_visible(user, order, events: QuerySet) -> QuerySet:
    """Return the order's events the person may see (see the module docstring)."""
    role = order_role(user, order)
    if role in OFFICE_ROLES:
        return events
    if role == CUSTOMER:
        return events.filter(kind__in=CUSTOMER_ORDER_EVENT_KINDS)
    firm_id = viewer_of(user).firm_id
    own_faults = Q(kind="fault.claimed", data__firm=firm_id)
    # Like the deliveries list: a member firm follows the deliveries it shipped only.
    shipped = _model("orders.Delivery").objects.filter(order=order, firm_id=firm_id)
    shipped_ids = list(shipped.values_list("pk", flat=True))
    others_deliveries = Q(kind__in=DELIVERY_EVENT_KINDS) & ~Q(data__delivery__in=shipped_ids)
    return events.filter(Q(kind__in=MEMBER_ORDER_EVENT_KINDS) | own_faults).exclude(
        others_deliveries
    )


def order_event_data(role: str, data: dict) -> dict:
    """Return what of an order event's data a person in `role` may read."""
    if role in OFFICE_ROLES:
        return data
    allowed = CUSTOMER_ORDER_EVENT_DATA if role == CUSTOMER else MEMBER_ORDER_EVENT_DATA
    return {key: value for key, value in data.items() if key in allowed}


def event_actor(user, event, *, network_id: int, customer_id: int) -> str | None:
    """Return who acted, as the person may read it (see `person_as_read`)."""
    return person_as_read(user, event.actor, network_id=network_id, customer_id=customer_id)


def person_as_read(user, actor, *, network_id: int, customer_id: int) -> str | None:
    """Return who acted on a request (an event, a message), as the person may read it.

    The customer reads the party ("customer", "office", "member firm", or "platform" for
    its operators), never a person's name; the network's own people read the username.
    None when the platform acted on its own.
    """
    if actor is None:
        return None
    viewer = viewer_of(user)
    if viewer.pk is None or viewer.pk != customer_id:
        return actor.get_username()
    if actor.pk == customer_id:
        return CUSTOMER
    if actor.firm_id is not None and actor.firm_id in viewer.office_firm_ids(network_id):
        return OFFICE
    if actor.firm_id is not None:
        return MEMBER_FIRM
    return PLATFORM
