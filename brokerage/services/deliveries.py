"""From production to the customer: deliveries with inspection documents, receipt, follow-ons.

A team firm (or the leader, or the office) records each delivery it ships and attaches
its inspection documents; the files are checked by content like drawings and kept
private. The customer confirms receipt; the receipt of the final delivery, allowed once
every work package is done, marks the order delivered. A follow-on request (mass
production after a prototype) is a new request routed like any other, linked to the order
it came from.
"""

from dataclasses import asdict, replace

from django.db import transaction
from django.utils.translation import gettext as _

from brokerage.locks import delivery_lock
from brokerage.models import Delivery, InspectionDocument, TeamMember
from brokerage.services.idempotency import idempotency_claim
from brokerage.services.intake import RequirementInput, RFQInput, rfq_submit
from brokerage.services.notifications import notifications_create
from brokerage.services.order_support import (
    coordinators,
    order_context,
    order_link,
    team_part_of,
)
from brokerage.services.payments import order_complete_if_settled
from core import access, clock
from core.errors import InvalidTransition, NotAllowed, Refusal
from members.models import User
from orders.drawings import DrawingRejected, inspect_drawing
from orders.locks import order_lock
from orders.models import RFQ, Order
from orders.services import event_record


@transaction.atomic
def delivery_record(
    *,
    order_id: int,
    user: User,
    description: str,
    quantity: int | None = None,
    is_final: bool = False,
) -> Delivery:
    """Record goods shipped to the customer; the final one needs every package done."""
    order = order_lock(order_id)
    part = team_part_of(user, order)
    office = access.is_office(user, order.network)
    if not (part or office or access.leads_order(user, order)):
        raise NotAllowed(_("A team firm, the leader or the office records deliveries."))
    if order.status != Order.Status.IN_PRODUCTION:
        raise InvalidTransition(
            _("Deliveries are recorded while the order is in production; it is %(status)s.")
            % {"status": order.get_status_display().lower()}
        )
    description = description.strip()
    if not description:
        raise Refusal(_("Say what is delivered."))
    if quantity is not None and quantity > order.rfq.quantity:
        raise Refusal(
            _("The order is for %(quantity)s pieces.") % {"quantity": f"{order.rfq.quantity:,}"}
        )
    if is_final:
        open_packages = list(
            order.team_members.exclude(state=TeamMember.State.DONE).values_list(
                "work_package", flat=True
            )
        )
        if open_packages:
            raise InvalidTransition(
                _("Mark every work package done before the final delivery; still open: %(open)s.")
                % {"open": ", ".join(open_packages)}
            )
    delivery = Delivery.objects.create(
        order=order,
        firm_id=None if office else user.firm_id,
        description=description,
        quantity=quantity,
        is_final=is_final,
        recorded_by=user,
    )
    event_record(
        kind="delivery.recorded",
        actor=user,
        order=order,
        data={"delivery": delivery.pk, "final": is_final, "firm": delivery.firm_id},
    )
    notifications_create(
        kind="delivery.shipped",
        subject_type="delivery",
        subject_id=delivery.pk,
        recipients=[order.customer],
        context={**order_context(order), "description": description},
        link=order_link(order),
    )
    return delivery


@transaction.atomic
def inspection_document_attach(
    *, order_id: int, delivery_id: int, user: User, uploaded
) -> InspectionDocument:
    """Attach an inspection report or photo to a delivery, checked by its content."""
    order = order_lock(order_id)
    delivery = delivery_lock(order=order, delivery_id=delivery_id)
    shipper = user.is_authenticated and delivery.firm_id and user.firm_id == delivery.firm_id
    if not (shipper or access.leads_order(user, order) or access.is_office(user, order.network)):
        raise NotAllowed(_("The firm that shipped, the leader or the office attaches documents."))
    facts = inspect_drawing(uploaded)
    if InspectionDocument.objects.filter(delivery=delivery, sha256=facts["sha256"]).exists():
        raise DrawingRejected(
            _("“%(name)s” is already attached.") % {"name": facts["original_name"]}
        )
    document = InspectionDocument(delivery=delivery, uploaded_by=user, **facts)
    document.file.save(facts["original_name"], uploaded, save=False)
    document.save()
    event_record(
        kind="delivery.document_attached",
        actor=user,
        order=order,
        data={"delivery": delivery.pk, "document": document.pk, "name": document.original_name},
    )
    return document


@transaction.atomic
def delivery_receive(*, order_id: int, delivery_id: int, user: User) -> Delivery:
    """The customer confirms receipt; the final delivery's receipt delivers the order."""
    order = order_lock(order_id)
    if user.pk != order.customer_id:
        raise NotAllowed(_("The customer who ordered confirms receipt."))
    delivery = delivery_lock(order=order, delivery_id=delivery_id)
    if delivery.received_at is not None:
        raise InvalidTransition(_("Receipt of this delivery is already confirmed."))
    delivery.received_at = clock.now()
    delivery.received_by = user
    delivery.save(update_fields=["received_at", "received_by"])
    event_record(kind="delivery.received", actor=user, order=order, data={"delivery": delivery.pk})
    notifications_create(
        kind="delivery.received",
        subject_type="delivery",
        subject_id=delivery.pk,
        recipients=coordinators(order),
        context={**order_context(order), "description": delivery.description},
        link=order_link(order),
    )
    if delivery.is_final and order.status == Order.Status.IN_PRODUCTION:
        order.status = Order.Status.DELIVERED
        order.delivered_at = delivery.received_at
        order.save(update_fields=["status", "delivered_at"])
        event_record(kind="order.delivered", actor=user, order=order, data={})
        order_complete_if_settled(order=order, actor=user)
    return delivery


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
