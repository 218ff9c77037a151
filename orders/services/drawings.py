"""Drawings attached to a request: checked before they are kept, each file once."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from core import access
from core.background import enqueue
from members.models import User
from orders.drawings import DrawingRejected, inspect_drawing
from orders.models import RFQ, Drawing
from orders.services.timeline import event_record


@transaction.atomic
def drawing_attach(*, rfq: RFQ, uploaded, user: User) -> Drawing:
    """Attach a drawing to a request after checking its content; the same file only once."""
    if not access.may_attach_drawing(user, rfq):
        raise PermissionDenied(_("Only the customer (or the office for them) attaches drawings."))
    facts = inspect_drawing(uploaded)
    if Drawing.objects.filter(rfq=rfq, sha256=facts["sha256"]).exists():
        raise DrawingRejected(
            _("“%(name)s” is already attached.") % {"name": facts["original_name"]}
        )
    drawing = Drawing(rfq=rfq, uploaded_by=user, **facts)
    drawing.file.save(facts["original_name"], uploaded, save=False)
    drawing.save()
    if rfq.status == RFQ.Status.DRAFT:
        # A draft has no timeline: its customer may still delete it, drawings and all.
        return drawing
    event_record(
        kind="drawing.attached",
        actor=user,
        rfq=rfq,
        data={"drawing": drawing.pk, "name": drawing.original_name, "size": drawing.size},
    )
    # A phone shows the preview; the upload does not wait for it.
    enqueue("orders.drawing_preview_make", drawing.pk)
    return drawing
