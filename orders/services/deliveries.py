"""From production to the customer: deliveries with inspection documents, receipt, follow-ons.

A team firm (or the leader, or the office) records each delivery it ships and attaches
its inspection documents; the files are checked by content like drawings and kept
private. The customer confirms receipt; the receipt of the final delivery, allowed once
every work package is done, marks the order delivered. A follow-on request (mass
production after a prototype) is a new request routed like any other, linked to the order
it came from.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from core import access, clock
from core.errors import InvalidTransition, NotAllowed, Refusal
from members.models import User
from members.notifications import notifications_create
from orders.drawings import DrawingRejected, inspect_drawing
from orders.locks import delivery_lock, order_lock
from orders.models import Delivery, InspectionDocument, Order, TeamMember
from orders.services.order_support import coordinators, order_context, order_link, team_part_of
from orders.services.payment_posting import order_complete_if_settled
from orders.services.timeline import event_record


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
