"""A drawing's preview, made once in the background after the drawing is attached."""

from django.core.files.base import ContentFile
from django.db import transaction

from orders.models import Drawing, DrawingPreview, PreviewImage
from orders.previews import preview_render


def drawing_preview_make(*, drawing_id: int) -> DrawingPreview | None:
    """Make the drawing's preview unless it has one; return it (None: no such drawing).

    Rendering happens outside any transaction (it may take seconds); the result is kept
    under the drawing's row lock only if no other run kept one first, so two runs at once
    leave one preview.
    """
    drawing = Drawing.objects.filter(pk=drawing_id).first()
    if drawing is None:
        return None
    existing = DrawingPreview.objects.filter(drawing=drawing).first()
    if existing is not None:
        return existing
    with drawing.file.open("rb") as stored:
        content = stored.read()
    outcome = preview_render(content, drawing.extension)
    with transaction.atomic():
        drawing = Drawing.objects.select_for_update().filter(pk=drawing_id).first()
        if drawing is None:
            return None
        existing = DrawingPreview.objects.filter(drawing=drawing).first()
        if existing is not None:
            return existing
        preview = DrawingPreview.objects.create(
            drawing=drawing,
            status=outcome.status,
            reason=outcome.reason,
            page_count=outcome.page_count,
        )
        for number, (png, width, height) in enumerate(outcome.images, start=1):
            image = PreviewImage(preview=preview, number=number, width=width, height=height)
            image.image.save(f"{number}.png", ContentFile(png), save=False)
            image.save()
    return preview
