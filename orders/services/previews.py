"""A drawing's preview, made once in the background after the drawing is attached."""

import datetime
import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from core.background import enqueue
from orders.models import Drawing, DrawingPreview, PreviewImage
from orders.previews import PreviewOutcome, preview_render

logger = logging.getLogger(__name__)

# The task sent at upload has this long before the sweeper sends it again; after a day a
# drawing that still has none (its file hangs the renderer) is left to be downloaded.
SWEEP_GRACE = datetime.timedelta(minutes=2)
SWEEP_WINDOW = datetime.timedelta(days=1)
SWEEP_BATCH = 50


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
    try:
        with drawing.file.open("rb") as stored:
            content = stored.read()
    except OSError:
        logger.exception("drawing %s: stored file unreadable, no preview", drawing_id)
        outcome = PreviewOutcome(reason=DrawingPreview.Reason.UNREADABLE)
    else:
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


def drawing_previews_resend() -> int:
    """Send the preview task again for drawings still without one (the broker was down
    at upload, or a worker died); return how many. Duplicates are harmless."""
    now = timezone.now()
    waiting = list(
        Drawing.objects.filter(
            preview__isnull=True,
            uploaded_at__lte=now - SWEEP_GRACE,
            uploaded_at__gte=now - SWEEP_WINDOW,
        )
        .order_by("uploaded_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for drawing_id in waiting:
        enqueue("orders.drawing_preview_make", drawing_id, on_commit=False)
    return len(waiting)
