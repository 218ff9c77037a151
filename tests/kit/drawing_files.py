"""Real drawing files built in memory, for previews to render: PDFs, PNGs and bad ones."""

import io
import struct
import zlib

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from orders.models import DrawingPreview, PreviewImage


def pdf_bytes(pages: int = 1, size: tuple[int, int] = (420, 297)) -> bytes:
    """A valid PDF of `pages` A3-landscape-shaped pages (Pillow writes it)."""
    images = [Image.new("RGB", size, (255, 255, 255 - 40 * index)) for index in range(pages)]
    buffer = io.BytesIO()
    images[0].save(buffer, format="PDF", save_all=True, append_images=images[1:])
    return buffer.getvalue()


def png_bytes(size: tuple[int, int] = (64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 90, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


def bomb_png_bytes(side: int = 30_000) -> bytes:
    """A tiny PNG that claims `side` by `side` pixels: decoding it would take gigabytes.

    Only the header and one compressed row are real; Pillow refuses it by its size
    (its decompression-bomb limit) before decoding anything.
    """

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * (side + 1)))
        + chunk(b"IEND", b"")
    )


def upload(name: str, content: bytes, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def preview_stored(drawing_id: int) -> None:
    """Give a drawing a one-page preview, whatever its content (as if a worker made it)."""
    preview = DrawingPreview.objects.create(
        drawing_id=drawing_id, status=DrawingPreview.Status.READY, page_count=1
    )
    image = PreviewImage(preview=preview, number=1, width=64, height=48)
    image.image.save("1.png", ContentFile(png_bytes()), save=False)
    image.save()
