"""A follow-on request: a new request that follows an order (mass production after the
prototype), submitted and routed like any other, linked to its order both ways."""

from dataclasses import asdict, replace

from django.db import transaction
from django.utils.translation import gettext as _

from brokerage.services.intake import RequirementInput, RFQInput, rfq_submit
from core import access
from core.errors import InvalidTransition, NotAllowed
from core.idempotency import idempotency_claim
from members.models import User
from members.notifications import notifications_create
from orders.locks import order_lock
from orders.models import RFQ, Order
from orders.services.order_support import coordinators, order_context, order_link
from orders.services.timeline import event_record


@transaction.atomic
def order_follow_on_request(
    *, order_id: int, user: User, data: RFQInput, idempotency_key: str = ""
) -> RFQ:
    """Submit a new request that follows the order (e.g. mass production after a prototype).

    Without requirements of its own it asks for what the original request asked for. A
    retry with the same idempotency key (from the same caller, for the same order and
    request) returns the request the first attempt submitted.
    """
    order = order_lock(order_id)
    office = access.is_office(user, order.network)
    if not (user.pk == order.customer_id or office):
        raise NotAllowed(_("The customer (or the office for them) asks for a follow-on order."))
    if order.status == Order.Status.CANCELLED:
        raise InvalidTransition(_("A cancelled order has no follow-on."))
    claim = idempotency_claim(
        user=user,
        operation="order.follow_on",
        key=idempotency_key,
        request={"order": order.pk, "data": asdict(data)},
    )
    if claim.is_replay:
        return RFQ.objects.get(pk=claim.earlier)
    if not data.requirements:
        data = replace(
            data,
            requirements=tuple(
                RequirementInput(
                    capability_code=requirement.capability.code,
                    min_grade=requirement.min_grade,
                    note=requirement.note,
                )
                for requirement in order.rfq.requirements.select_related("capability")
            ),
        )
    rfq = rfq_submit(
        network=order.network,
        customer=order.customer,
        data=data,
        entered_by=user if office else None,
    )
    # The key is claimed for this endpoint above; the request keeps it only as a mark.
    RFQ.objects.filter(pk=rfq.pk).update(follow_on_of=order, idempotency_key=idempotency_key)
    rfq.follow_on_of, rfq.idempotency_key = order, idempotency_key
    claim.complete(rfq.pk)
    event_record(kind="order.follow_on_requested", actor=user, order=order, data={"rfq": rfq.pk})
    event_record(kind="rfq.follow_on_of", actor=user, rfq=rfq, data={"order": order.pk})
    notifications_create(
        kind="order.follow_on",
        subject_type="rfq",
        subject_id=rfq.pk,
        recipients=coordinators(order),
        context={**order_context(order), "rfq": rfq.pk, "title": rfq.title},
        link=order_link(order),
    )
    return rfq
