"""Reading drawings' previews: what a request's pages and API list, and one image to serve,
only to those who may read the drawing itself."""

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from core import access
from members.models import User
from orders.models import RFQ, Drawing, PreviewImage


def drawings_with_previews(rfq: RFQ) -> QuerySet[Drawing]:
    """The request's drawings in upload order, each with its preview and images in one go."""
    return (
        rfq.drawings.order_by("uploaded_at", "id")
        .select_related("preview")
        .prefetch_related(
            Prefetch("preview__images", queryset=PreviewImage.objects.order_by("number"))
        )
    )


def preview_image_for(user: User, rfq: RFQ, drawing_id: int, number: int) -> PreviewImage:
    """One image of a drawing's preview, to a person who may download the drawing.

    `rfq` is the request as the person may see it (the caller fetched it through the
    request selectors); the drawing's files then follow the request's details.
    """
    image = (
        PreviewImage.objects.filter(
            preview__drawing__rfq=rfq, preview__drawing_id=drawing_id, number=number
        )
        .select_related("preview__drawing")
        .first()
    )
    if image is None or not access.rfq_details_visible(user, rfq):
        raise Http404("No such preview.")
    return image
