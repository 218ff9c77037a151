"""Making a drawing's preview: a few PNG images a phone can show, or why there are none.

PDF pages are rendered by PDFium (pypdfium2), raster images scaled down by Pillow. Every
image is bounded (a few pages, a bounded longest side), and a file that cannot be read —
truncated, malformed, or an image built to explode when decoded — yields a reason code,
never an exception: the drawing itself is kept and can still be downloaded.
"""

import io
import logging
import warnings
from dataclasses import dataclass, field

import pypdfium2
from PIL import Image, ImageOps

from orders.models import DrawingPreview

logger = logging.getLogger(__name__)

MAX_PAGES = 3
# Long enough to read a title block on a phone when zoomed, small enough to load on 4G.
MAX_SIDE_PX = 1600
# PDF points are 1/72 inch; a page is never rendered above 200 dpi.
MAX_PDF_SCALE = 200 / 72

RASTER_EXTENSIONS = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".gif", ".webp"}

Reason = DrawingPreview.Reason


@dataclass
class PreviewOutcome:
    """What a preview came to: PNG images (bytes, width, height), or a reason code."""

    images: list[tuple[bytes, int, int]] = field(default_factory=list)
    page_count: int = 0
    reason: str = ""

    @property
    def status(self) -> str:
        if self.images:
            return DrawingPreview.Status.READY
        if self.reason == Reason.FORMAT:
            return DrawingPreview.Status.UNAVAILABLE
        return DrawingPreview.Status.FAILED


def preview_render(content: bytes, extension: str) -> PreviewOutcome:
    """Render a drawing's content (its extension says how) into its preview images."""
    if extension == ".pdf":
        render = _pdf_pages
    elif extension in RASTER_EXTENSIONS:
        render = _raster_image
    else:
        return PreviewOutcome(reason=Reason.FORMAT)
    try:
        return render(content)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return PreviewOutcome(reason=Reason.TOO_LARGE)
    except Exception:  # a hostile or broken file must never fail the upload
        logger.info("no preview for a %s file", extension, exc_info=True)
        return PreviewOutcome(reason=Reason.UNREADABLE)


def _png(image: Image.Image) -> tuple[bytes, int, int]:
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue(), image.width, image.height


def _pdf_pages(content: bytes) -> PreviewOutcome:
    document = pypdfium2.PdfDocument(content)
    try:
        page_count = len(document)
        images = []
        for index in range(min(page_count, MAX_PAGES)):
            page = document[index]
            try:
                width, height = page.get_size()
                if width <= 0 or height <= 0:
                    raise ValueError("a page without size")
                scale = min(MAX_SIDE_PX / max(width, height), MAX_PDF_SCALE)
                bitmap = page.render(scale=scale)
                images.append(_png(bitmap.to_pil()))
            finally:
                page.close()
    finally:
        document.close()
    if not images:
        return PreviewOutcome(page_count=page_count, reason=Reason.NO_PAGES)
    return PreviewOutcome(images=images, page_count=page_count)


def _raster_image(content: bytes) -> PreviewOutcome:
    # Pillow only warns up to twice its pixel limit; here any bomb stops the preview.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(io.BytesIO(content)) as image:
            image.draft("RGB", (MAX_SIDE_PX, MAX_SIDE_PX))  # JPEG decodes at a smaller size
            image = ImageOps.exif_transpose(image)
            image.thumbnail((MAX_SIDE_PX, MAX_SIDE_PX))
            return PreviewOutcome(images=[_png(image)], page_count=1)
