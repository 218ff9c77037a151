"""Teams: the leader or the office assembles one per order; each firm confirms its part.

A team is a list of parts, one per member firm: a role, a work package (a Rodan21 phase,
a Migakiya quantity, one skill of a Kyoto "set"), planned dates, and what the firm
receives of each payment: either a share in basis points (all shares sum to 10,000) or a
fixed amount (all amounts sum to what is left of the order's total after the office
fee). Mixing the two in one team is refused: the payment split needs one kind of weight.

The team can be changed while it forms. A part whose terms change must be confirmed
again; when every firm has confirmed, the order goes into production and the team is
fixed, so that every payment is split by the shares the firms agreed to.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from core import access, clock
from core.bilingual import name_said_to_each
from core.errors import InvalidTransition, NotAllowed, Refusal
from members.models import Membership, User
from members.notifications import notifications_create
from members.selectors import firm_people
from orders.locks import order_lock, team_part_lock, team_part_of_firm_lock, team_rows_lock
from orders.models import Order, TeamMember
from orders.money import BASIS_POINTS, split_fee
from orders.services.order_support import coordinators, order_context, order_link, yen
from orders.services.timeline import event_record

MAX_TEAM_SIZE = 50


@dataclass(frozen=True)
class TeamMemberInput:
    firm_id: int
    work_package: str
    role: str = TeamMember.Role.MEMBER
    share_bps: int | None = None
    amount: int | None = None
    phase: str = ""
    quantity: int | None = None
    planned_start: datetime.date | None = None
    planned_finish: datetime.date | None = None

    def terms(self) -> tuple:
        """Return what a firm agrees to when it confirms its part."""
        return (
            self.role,
            self.work_package.strip(),
            self.phase,
            self.quantity,
            self.share_bps,
            self.amount,
            self.planned_start,
            self.planned_finish,
        )


def part_terms(part: TeamMember) -> tuple:
    return (
        part.role,
        part.work_package,
        part.phase,
        part.quantity,
        part.share_bps,
        part.amount,
        part.planned_start,
        part.planned_finish,
    )


def distributable(order: Order) -> tuple[int, int]:
    """Return (office fee, what is left for the team) of the order's whole total."""
    return split_fee(order.total, order.network.office_fee_bps)


def _terms_now(share_bps: int | None, amount: int | None) -> str:
    if share_bps is not None:
        share = f"{share_bps / 100:.2f}".rstrip("0").rstrip(".")
        return _("%(share)s%% of each payment after the office fee") % {"share": share}
    return _("%(amount)s in all") % {"amount": yen(amount)}


# A part's terms as its page says them, said in each recipient's language when their
# notification is written (members.notification_texts).
terms_said_to_each = lazy(_terms_now, str)


def team_errors(order: Order, members: list[TeamMemberInput]) -> list[str]:
    """Return everything that is wrong with a proposed team (empty when it is right)."""
    errors: list[str] = []
    if not members:
        return [_("A team has at least one member firm.")]
    if len(members) > MAX_TEAM_SIZE:
        return [_("A team has at most %(max)s member firms.") % {"max": MAX_TEAM_SIZE}]
    firm_ids = [member.firm_id for member in members]
    repeated = sorted({firm_id for firm_id in firm_ids if firm_ids.count(firm_id) > 1})
    if repeated:
        errors.append(
            _(
                "Firm(s) %(firms)s appear more than once; give each firm "
                "one part and describe all its work in that part's work package."
            )
            % {"firms": ", ".join(map(str, repeated))}
        )
    eligible = set(
        Membership.objects.filter(network=order.network, firm_id__in=firm_ids, is_active=True)
        .exclude(role=Membership.Role.OFFICE)
        .values_list("firm_id", flat=True)
    )
    outsiders = sorted(set(firm_ids) - set(eligible))
    if outsiders:
        errors.append(
            _(
                "Firm(s) %(firms)s are not active member firms of "
                "%(network)s; a team is made of the network's members."
            )
            % {"firms": ", ".join(map(str, outsiders)), "network": order.network.name_en}
        )
    if any(not member.work_package.strip() for member in members):
        errors.append(_("Every part needs a work package: what this firm does."))
    leaders = [member for member in members if member.role == TeamMember.Role.LEADER]
    if any(member.firm_id != order.leader_firm_id for member in leaders):
        errors.append(
            _("Only the project leader firm (#%(firm)s) takes the leader role.")
            % {"firm": order.leader_firm_id}
        )
    quantity = order.rfq.quantity
    if any(member.quantity is not None and member.quantity > quantity for member in members):
        errors.append(
            _("A part's quantity cannot exceed the order's %(quantity)s pieces.")
            % {"quantity": f"{quantity:,}"}
        )
    if any(
        member.planned_start
        and member.planned_finish
        and member.planned_start > member.planned_finish
        for member in members
    ):
        errors.append(_("A part's planned finish cannot be before its planned start."))
    with_share = [member for member in members if member.share_bps is not None]
    with_amount = [member for member in members if member.amount is not None]
    if any((member.share_bps is None) == (member.amount is None) for member in members):
        errors.append(_("Give each member either a share (basis points) or a fixed amount."))
    elif with_share and with_amount:
        errors.append(
            _(
                "Give every member a share or every member a fixed amount, not a mix: "
                "each payment is split by one kind of weight."
            )
        )
    elif with_share:
        total_bps = sum(member.share_bps for member in with_share)
        if total_bps != BASIS_POINTS:
            errors.append(
                _(
                    "The shares add up to %(total)s basis points (%(percent)s%%); "
                    "they must add up to %(all)s (100%%)."
                )
                % {
                    "total": f"{total_bps:,}",
                    "percent": f"{total_bps / 100:.2f}",
                    "all": f"{BASIS_POINTS:,}",
                }
            )
    else:
        fee, rest = distributable(order)
        total_amount = sum(member.amount for member in with_amount)
        if total_amount != rest:
            errors.append(
                _(
                    "The fixed amounts add up to %(sum)s; they must add up to "
                    "%(rest)s: the order's total %(total)s less the office fee "
                    "%(fee)s (%(rate)s%%)."
                )
                % {
                    "sum": yen(total_amount),
                    "rest": yen(rest),
                    "total": yen(order.total),
                    "fee": yen(fee),
                    "rate": f"{order.network.office_fee_bps / 100:.2f}",
                }
            )
    return errors


@transaction.atomic
def team_set(*, order_id: int, user: User, members: list[TeamMemberInput]) -> list[TeamMember]:
    """Assemble or change the order's team; parts whose terms change are confirmed again."""
    order = order_lock(order_id)
    if not (access.is_office(user, order.network) or access.leads_order(user, order)):
        raise NotAllowed(_("The project leader or the network office assembles the team."))
    if order.status != Order.Status.TEAM_FORMING:
        raise InvalidTransition(
            _("The team is fixed: every member confirmed its part and production has started.")
        )
    errors = team_errors(order, members)
    if errors:
        # Every problem at once, so that the team is corrected in one go.
        raise Refusal(errors, field="members")

    existing = {part.firm_id: part for part in team_rows_lock(order=order)}
    wanted = {member.firm_id: member for member in members}
    unchanged = {
        firm_id
        for firm_id, part in existing.items()
        if firm_id in wanted and part_terms(part) == wanted[firm_id].terms()
    }
    stale = [part.pk for firm_id, part in existing.items() if firm_id not in unchanged]
    TeamMember.objects.filter(pk__in=stale).delete()
    created = []
    for position, member in enumerate(members):
        if member.firm_id in unchanged:
            part = existing[member.firm_id]
            if part.position != position:
                part.position = position
                part.save(update_fields=["position"])
            continue
        created.append(
            TeamMember.objects.create(
                order=order,
                firm_id=member.firm_id,
                position=position,
                role=member.role,
                work_package=member.work_package.strip(),
                phase=member.phase,
                quantity=member.quantity,
                share_bps=member.share_bps,
                amount=member.amount,
                planned_start=member.planned_start,
                planned_finish=member.planned_finish,
            )
        )
    event_record(
        kind="team.set",
        actor=user,
        order=order,
        data={
            "firms": [member.firm_id for member in members],
            "weights": "share" if members[0].share_bps is not None else "amount",
            "to_confirm": [part.firm_id for part in created],
        },
    )
    for part in created:
        notifications_create(
            kind="team.assigned",
            subject_type="team_member",
            subject_id=part.pk,
            recipients=firm_people([part.firm_id]),
            context={
                **order_context(order),
                "work_package": part.work_package,
                "terms": terms_said_to_each(part.share_bps, part.amount),
            },
            link=order_link(order),
        )
    production_start_if_confirmed(order=order, actor=user)
    return list(order.team_members.select_related("firm").order_by("position", "id"))


@transaction.atomic
def team_member_answer(*, order_id: int, user: User, accept: bool, reason: str = "") -> TeamMember:
    """A team firm confirms its part, or declines it saying why."""
    order = order_lock(order_id)
    part = team_part_of_firm_lock(
        order=order, firm_id=user.firm_id if user.is_authenticated else None
    )
    if part is None:
        raise NotAllowed(_("Only a firm with a part in the team confirms it."))
    if order.status != Order.Status.TEAM_FORMING:
        raise InvalidTransition(_("The team is already fixed; production has started."))
    if part.confirmation != TeamMember.Confirmation.PENDING:
        raise InvalidTransition(
            _("Your firm already answered: %(answer)s.")
            % {"answer": part.get_confirmation_display().lower()}
        )
    reason = reason.strip()
    if not accept and not reason:
        raise Refusal(
            _("Tell the leader why, so that the part can go to another firm."), field="reason"
        )
    part.confirmation = (
        TeamMember.Confirmation.CONFIRMED if accept else TeamMember.Confirmation.DECLINED
    )
    part.confirmed_at = clock.now()
    part.confirmed_by = user
    part.decline_reason = "" if accept else reason
    part.save(update_fields=["confirmation", "confirmed_at", "confirmed_by", "decline_reason"])
    event_record(
        kind="team.member_confirmed" if accept else "team.member_declined",
        actor=user,
        order=order,
        data={"firm": part.firm_id, "part": part.pk, **({} if accept else {"reason": reason})},
    )
    if accept:
        production_start_if_confirmed(order=order, actor=user)
    else:
        notifications_create(
            kind="team.declined",
            subject_type="team_member",
            subject_id=part.pk,
            recipients=coordinators(order),
            context={
                **order_context(order),
                "firm": name_said_to_each(part.firm),
                "reason": reason,
            },
            link=order_link(order),
        )
    return part


def production_start_if_confirmed(*, order: Order, actor: User | None) -> bool:
    """Start production once every part is confirmed (in the caller's transaction)."""
    answers = list(order.team_members.values_list("confirmation", flat=True))
    if not answers or any(answer != TeamMember.Confirmation.CONFIRMED for answer in answers):
        return False
    order.status = Order.Status.IN_PRODUCTION
    order.save(update_fields=["status"])
    event_record(kind="order.in_production", actor=actor, order=order, data={})
    notifications_create(
        kind="order.in_production",
        subject_type="order",
        subject_id=order.pk,
        recipients=[*coordinators(order), order.customer],
        context=order_context(order),
        link=order_link(order),
    )
    return True


@transaction.atomic
def work_package_update(
    *,
    order_id: int,
    part_id: int,
    user: User,
    state: str | None = None,
    on: datetime.date | None = None,
    planned_start: datetime.date | None = None,
    planned_finish: datetime.date | None = None,
) -> TeamMember:
    """Move a work package to a new state on a date, or move its planned dates."""
    order = order_lock(order_id)
    part = team_part_lock(order=order, part_id=part_id)
    if part is None:
        raise InvalidTransition(_("This order has no such work package."))
    own = user.is_authenticated and user.firm_id == part.firm_id
    if not (own or access.leads_order(user, order) or access.is_office(user, order.network)):
        raise NotAllowed(_("The firm doing the work, the leader or the office updates it."))
    if order.status not in (Order.Status.TEAM_FORMING, Order.Status.IN_PRODUCTION):
        raise InvalidTransition(_("The order is delivered; its work packages are closed."))
    changed = []
    if planned_start is not None or planned_finish is not None:
        start = planned_start or part.planned_start
        finish = planned_finish or part.planned_finish
        if start and finish and start > finish:
            raise Refusal(_("The finish is before the start."), field="planned_finish")
        part.planned_start, part.planned_finish = start, finish
        changed += ["planned_start", "planned_finish"]
    if state is not None:
        _change_state(order, part, state, on or timezone.localdate(timezone=order.network.tzinfo))
        changed += ["state", "started_on", "finished_on"]
    if not changed:
        raise Refusal(_("Give a new state or new planned dates."), field="state")
    part.save(update_fields=changed)
    event_record(
        kind="work_package.updated",
        actor=user,
        order=order,
        data={
            "part": part.pk,
            "firm": part.firm_id,
            "work_package": part.work_package,
            "state": part.state,
            "started_on": part.started_on.isoformat() if part.started_on else None,
            "finished_on": part.finished_on.isoformat() if part.finished_on else None,
        },
    )
    if state == TeamMember.State.DONE:
        notifications_create(
            kind="work_package.done",
            subject_type="team_member",
            subject_id=part.pk,
            recipients=coordinators(order),
            context={
                **order_context(order),
                "firm": name_said_to_each(part.firm),
                "work_package": part.work_package,
                "on": part.finished_on.isoformat(),
            },
            link=order_link(order),
        )
    return part


def _change_state(order: Order, part: TeamMember, state: str, on: datetime.date) -> None:
    if order.status != Order.Status.IN_PRODUCTION:
        raise InvalidTransition(_("Work starts once every member has confirmed its part."))
    if state == part.state:
        raise InvalidTransition(
            _("The work package is already %(state)s.")
            % {"state": part.get_state_display().lower()}
        )
    if state == TeamMember.State.PLANNED:
        raise InvalidTransition(_("Work that has started cannot go back to planned."))
    if state == TeamMember.State.IN_PROGRESS:
        # From done back to in progress is rework: the package is open again.
        part.started_on = part.started_on or on
        part.finished_on = None
    elif state == TeamMember.State.DONE:
        part.started_on = part.started_on or on
        if on < part.started_on:
            raise Refusal(
                _("The work cannot finish before it started (%(started)s).")
                % {"started": part.started_on},
                field="on",
            )
        part.finished_on = on
    else:
        raise Refusal(_("Unknown state “%(state)s”.") % {"state": state})
    part.state = state
