"""Estimates: composed from the members' answers, versioned, accepted into an order.

A sent estimate is valid to the end of its `valid_until` day in its network's zone; the
expiry sweeper (`brokerage.expire_estimates`) then marks it and its request expired, and
the office may re-issue it as a new version with a new validity.
"""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brokerage.models import Invitation
from brokerage.services.workflow_support import (
    customer_and_office_tell,
    deadlines_cancel,
    require_status,
    rfq_context,
    rfq_link,
)
from capabilities.matching.explanations import Names, listed
from core import access, clock
from core.bounds import MAX_AMOUNT, too_large_message
from core.errors import InvalidTransition, NotAllowed, Refusal
from members.models import Membership, Network, User
from members.notifications import notifications_create
from members.selectors import firm_people, office_people
from orders.locks import estimate_lock, rfq_lock
from orders.models import RFQ, Estimate, EstimateLine, Order
from orders.money import consumption_tax
from orders.services.timeline import event_record


@dataclass(frozen=True)
class EstimateLineInput:
    firm_id: int
    description: str
    amount: int
    work_package: str = ""


@transaction.atomic
def estimate_create(
    *,
    rfq_id: int,
    user: User,
    lines: list[EstimateLineInput],
    lead_time_days: int,
    valid_until: datetime.date,
) -> Estimate:
    """Compose a new version of the estimate (a draft until it is sent)."""
    rfq = rfq_lock(rfq_id)
    if not access.may_compose_estimate(user, rfq):
        raise NotAllowed(_("The project leader or the network office composes the estimate."))
    require_status(
        rfq, RFQ.Status.LEADER_DESIGNATED, RFQ.Status.ESTIMATE_SENT, action=_("compose an estimate")
    )
    if not lines:
        raise Refusal(_("An estimate needs at least one line."))
    if any(line.amount < 0 or line.amount > MAX_AMOUNT for line in lines):
        raise Refusal(too_large_message())
    if valid_until < timezone.localdate():
        raise Refusal(_("The estimate must be valid until today or later."))
    members = set(
        Membership.objects.filter(network=rfq.network, is_active=True).values_list(
            "firm_id", flat=True
        )
    )
    if not {line.firm_id for line in lines} <= members:
        raise Refusal(_("Every line's firm must be a member of the network."))
    subtotal = sum(line.amount for line in lines)
    tax = consumption_tax(subtotal)
    if subtotal + tax > MAX_AMOUNT:
        # The total, tax included, is what the invoice and the customer's payment carry.
        raise Refusal(
            _("The total with tax would be %(total)s; %(refusal)s")
            % {"total": f"¥{subtotal + tax:,}", "refusal": too_large_message()}
        )
    version = (
        rfq.estimates.order_by("-version").values_list("version", flat=True).first() or 0
    ) + 1
    estimate = Estimate.objects.create(
        rfq=rfq,
        version=version,
        subtotal=subtotal,
        tax=tax,
        total=subtotal + tax,
        lead_time_days=lead_time_days,
        valid_until=valid_until,
        created_by=user,
    )
    EstimateLine.objects.bulk_create(
        [
            EstimateLine(
                estimate=estimate,
                position=position,
                firm_id=line.firm_id,
                description=line.description.strip(),
                work_package=line.work_package.strip(),
                amount=line.amount,
            )
            for position, line in enumerate(lines)
        ]
    )
    event_record(
        kind="estimate.created",
        actor=user,
        rfq=rfq,
        data={"estimate": estimate.pk, "version": version, "total": estimate.total},
    )
    return estimate


def suggested_lines(rfq: RFQ) -> list[EstimateLineInput]:
    """Return estimate lines drawn from the 'can do' answers, the leader's first.

    A line reads as the firm wrote it for the customer, else as the capabilities it was
    asked for; never the answer's note, which is for the office and the leader only.
    """
    answers = list(
        rfq.invitations.filter(status=Invitation.Status.CAN_DO, price__isnull=False).order_by(
            "rank"
        )
    )
    names = Names().read(codes=(code for answer in answers for code in covered_codes(answer)))
    lines = [
        EstimateLineInput(
            firm_id=answer.firm_id,
            description=(
                answer.line_description
                or listed(names.capability(code) for code in covered_codes(answer))
                or _("Work package")
            )[:300],
            amount=answer.price,
        )
        for answer in answers
    ]
    return sorted(lines, key=lambda line: line.firm_id != rfq.leader_firm_id)


def covered_codes(answer: Invitation) -> list[str]:
    """Return the codes of the required capabilities the routing found the firm to cover."""
    covered = answer.reason.get("covered") if isinstance(answer.reason, dict) else None
    return [code for code in covered or () if isinstance(code, str)]


@transaction.atomic
def estimate_send(*, estimate_id: int, user: User) -> Estimate:
    """Send a draft estimate to the customer; an earlier version is superseded."""
    estimate, rfq = estimate_lock(estimate_id)
    if not access.may_compose_estimate(user, rfq):
        raise NotAllowed(_("The project leader or the network office sends the estimate."))
    if estimate.status != Estimate.Status.DRAFT:
        raise InvalidTransition(_("Only a draft estimate can be sent."))
    require_status(
        rfq, RFQ.Status.LEADER_DESIGNATED, RFQ.Status.ESTIMATE_SENT, action=_("send an estimate")
    )
    rfq.estimates.filter(status=Estimate.Status.SENT).update(status=Estimate.Status.SUPERSEDED)
    estimate.status = Estimate.Status.SENT
    estimate.sent_at = clock.now()
    estimate.save(update_fields=["status", "sent_at"])
    rfq.status = RFQ.Status.ESTIMATE_SENT
    rfq.save(update_fields=["status", "updated_at"])
    deadlines_cancel(rfq=rfq)
    on_time = rfq.estimate_due_at is None or estimate.sent_at <= rfq.estimate_due_at
    event_record(
        kind="estimate.sent",
        actor=user,
        rfq=rfq,
        data={"estimate": estimate.pk, "version": estimate.version, "on_time": on_time},
    )
    notifications_create(
        kind="estimate.sent",
        subject_type="estimate",
        subject_id=estimate.pk,
        recipients=[rfq.customer],
        context={
            **rfq_context(rfq),
            "total": f"¥{estimate.total:,}",
            "lead_time_days": estimate.lead_time_days,
            "valid_until": estimate.valid_until.isoformat(),
        },
        link=rfq_link(rfq),
    )
    return estimate


@transaction.atomic
def estimate_accept(*, estimate_id: int, user: User) -> Order:
    """The customer accepts the estimate: the order is created for the team to form."""
    estimate, rfq = estimate_lock(estimate_id)
    if rfq.customer_id != user.pk:
        raise NotAllowed(_("Only the customer who asked accepts the estimate."))
    if estimate.status != Estimate.Status.SENT:
        raise InvalidTransition(_("Only the estimate currently sent can be accepted."))
    require_status(rfq, RFQ.Status.ESTIMATE_SENT, action=_("accept the estimate"))
    if estimate.valid_until < network_today(rfq.network):
        raise InvalidTransition(_("This estimate is no longer valid; ask for a new one."))
    now = clock.now()
    estimate.status = Estimate.Status.ACCEPTED
    estimate.decided_at = now
    estimate.save(update_fields=["status", "decided_at"])
    rfq.status = RFQ.Status.ACCEPTED
    rfq.save(update_fields=["status", "updated_at"])
    order = Order.objects.create(
        network=rfq.network,
        rfq=rfq,
        estimate=estimate,
        customer=rfq.customer,
        leader_firm_id=rfq.leader_firm_id,
        subtotal=estimate.subtotal,
        tax=estimate.tax,
        total=estimate.total,
        follow_on_of=rfq.follow_on_of,
    )
    event_record(
        kind="estimate.accepted",
        actor=user,
        rfq=rfq,
        data={"estimate": estimate.pk, "order": order.pk},
    )
    event_record(kind="order.created", actor=user, order=order, data={"rfq": rfq.pk})
    notifications_create(
        kind="estimate.accepted",
        subject_type="estimate",
        subject_id=estimate.pk,
        recipients=[*firm_people([rfq.leader_firm_id]), *office_people(rfq.network)],
        context={**rfq_context(rfq), "order": order.pk},
        link=rfq_link(rfq),
    )
    return order


@transaction.atomic
def estimate_decline(*, estimate_id: int, user: User, reason: str) -> Estimate:
    """The customer declines the estimate, saying why."""
    estimate, rfq = estimate_lock(estimate_id)
    if rfq.customer_id != user.pk:
        raise NotAllowed(_("Only the customer who asked declines the estimate."))
    if estimate.status != Estimate.Status.SENT:
        raise InvalidTransition(_("Only the estimate currently sent can be declined."))
    if not reason.strip():
        raise Refusal(_("Tell the network why, so it can do better next time."))
    estimate.status = Estimate.Status.DECLINED
    estimate.decided_at = clock.now()
    estimate.decline_reason = reason.strip()
    estimate.save(update_fields=["status", "decided_at", "decline_reason"])
    rfq.status = RFQ.Status.DECLINED
    rfq.save(update_fields=["status", "updated_at"])
    event_record(
        kind="estimate.declined",
        actor=user,
        rfq=rfq,
        data={"estimate": estimate.pk, "reason": estimate.decline_reason},
    )
    notifications_create(
        kind="estimate.declined",
        subject_type="estimate",
        subject_id=estimate.pk,
        recipients=[*firm_people([rfq.leader_firm_id]), *office_people(rfq.network)],
        context={**rfq_context(rfq), "reason": estimate.decline_reason},
        link=rfq_link(rfq),
    )
    return estimate


def network_today(network: Network) -> datetime.date:
    """Return today's date where the network works (an estimate is valid to its day's end)."""
    return timezone.localdate(clock.now(), timezone=network.tzinfo)


def estimate_ids_past_validity(*, limit: int = 500) -> list[int]:
    """Return sent estimates whose last valid day is over in their network's zone (the
    expiry sweeper's work), the longest expired first."""
    now = clock.now()
    ids: list[int] = []
    # The networks' zones are few: each zone's today decides for the estimates of its networks.
    for zone in Network.objects.order_by().values_list("time_zone", flat=True).distinct():
        today = timezone.localdate(now, timezone=zoneinfo.ZoneInfo(zone))
        ids += Estimate.objects.filter(
            status=Estimate.Status.SENT,
            valid_until__lt=today,
            rfq__status=RFQ.Status.ESTIMATE_SENT,
            rfq__network__time_zone=zone,
        ).values_list("pk", flat=True)[:limit]
    return sorted(ids)[:limit]


@transaction.atomic
def estimate_expire(*, estimate_id: int) -> bool:
    """Mark the estimate a customer has to decide on expired, with its request, once its
    last valid day is over; tell the customer and the office.

    Return False when there is nothing to do (already expired, decided, superseded, still
    valid, or the request closed otherwise, e.g. withdrawn): the sweeper may run it twice.
    """
    estimate, rfq = estimate_lock(estimate_id)
    if estimate.status != Estimate.Status.SENT or rfq.status != RFQ.Status.ESTIMATE_SENT:
        return False
    if estimate.valid_until >= network_today(rfq.network):
        return False
    estimate.status = Estimate.Status.EXPIRED
    estimate.decided_at = clock.now()
    estimate.save(update_fields=["status", "decided_at"])
    rfq.status = RFQ.Status.EXPIRED
    rfq.save(update_fields=["status", "updated_at"])
    event_record(
        kind="estimate.expired",
        actor=None,
        rfq=rfq,
        data={
            "estimate": estimate.pk,
            "version": estimate.version,
            "valid_until": estimate.valid_until.isoformat(),
        },
    )
    context = {
        **rfq_context(rfq),
        "version": estimate.version,
        "valid_until": estimate.valid_until.isoformat(),
    }
    customer_and_office_tell(
        rfq=rfq, kind="estimate.expired", context=context, subject=("estimate", estimate.pk)
    )
    return True


@transaction.atomic
def estimate_reissue(*, estimate_id: int, user: User, valid_until: datetime.date) -> Estimate:
    """Send an expired estimate again as a new version, valid until a new day: the same
    lines, lead time and total; the customer may accept it as their current estimate."""
    estimate, rfq = estimate_lock(estimate_id)
    if not access.may_reissue_estimate(user, rfq):
        raise NotAllowed(_("The network office re-issues an expired estimate."))
    if estimate.status != Estimate.Status.EXPIRED:
        raise InvalidTransition(_("Only an expired estimate can be re-issued."))
    require_status(rfq, RFQ.Status.EXPIRED, action=_("re-issue the estimate"))
    latest = rfq.estimates.order_by("-version").values_list("version", flat=True).first()
    if latest != estimate.version:
        raise InvalidTransition(_("Only the latest version of the estimate can be re-issued."))
    if valid_until < network_today(rfq.network):
        raise Refusal(_("The estimate must be valid until today or later."), field="valid_until")
    now = clock.now()
    renewed = Estimate.objects.create(
        rfq=rfq,
        version=estimate.version + 1,
        status=Estimate.Status.SENT,
        currency=estimate.currency,
        subtotal=estimate.subtotal,
        tax_rate_bps=estimate.tax_rate_bps,
        tax=estimate.tax,
        total=estimate.total,
        lead_time_days=estimate.lead_time_days,
        valid_until=valid_until,
        created_by=user,
        sent_at=now,
    )
    EstimateLine.objects.bulk_create(
        [
            EstimateLine(
                estimate=renewed,
                position=line.position,
                firm_id=line.firm_id,
                work_package=line.work_package,
                description=line.description,
                amount=line.amount,
            )
            for line in estimate.lines.order_by("position", "id")
        ]
    )
    rfq.status = RFQ.Status.ESTIMATE_SENT
    rfq.save(update_fields=["status", "updated_at"])
    event_record(
        kind="estimate.reissued",
        actor=user,
        rfq=rfq,
        data={
            "estimate": renewed.pk,
            "version": renewed.version,
            "previous": estimate.pk,
            "valid_until": valid_until.isoformat(),
        },
    )
    notifications_create(
        kind="estimate.reissued",
        subject_type="estimate",
        subject_id=renewed.pk,
        recipients=[rfq.customer],
        context={
            **rfq_context(rfq),
            "total": f"¥{renewed.total:,}",
            "lead_time_days": renewed.lead_time_days,
            "valid_until": valid_until.isoformat(),
        },
        link=rfq_link(rfq),
    )
    return renewed
