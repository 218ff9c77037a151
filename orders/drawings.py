"""Drawings: which files a request may carry, recognised by their content, not their name.

A file is accepted only when its bytes look like the format its extension claims, so a
script renamed to `.pdf` or an archive renamed to `.stl` is refused.
"""

import hashlib
import os
import re
import struct
import unicodedata

from django.conf import settings
from django.utils.translation import gettext as _

from core.errors import Refusal

MAX_NAME_LENGTH = 150


class DrawingRejected(Refusal):
    """The file cannot be attached; the message says why in words a customer can act on."""

    field = "file"


def _is_pdf(head: bytes, size: int) -> bool:
    return head.startswith(b"%PDF-")


def _is_dxf(head: bytes, size: int) -> bool:
    if head.startswith(b"AutoCAD Binary DXF"):
        return True
    text = head[:256].decode("latin-1").split()
    return text[:2] == ["0", "SECTION"] or (text[:1] == ["999"] and "SECTION" in text[:8])


def _is_dwg(head: bytes, size: int) -> bool:
    return re.match(rb"^AC10[0-9]{2}", head) is not None


def _is_step(head: bytes, size: int) -> bool:
    return head.lstrip().startswith(b"ISO-10303-21;")


def _is_iges(head: bytes, size: int) -> bool:
    first_line = head.split(b"\n", 1)[0].rstrip(b"\r")
    return len(first_line) >= 73 and first_line[72:73] == b"S"


def _is_stl(head: bytes, size: int) -> bool:
    if head.lstrip().lower().startswith(b"solid") and b"facet" in head.lower():
        return True
    # Binary STL: an 80-byte header, a triangle count, then 50 bytes per triangle.
    if len(head) >= 84:
        (triangles,) = struct.unpack("<I", head[80:84])
        return size == 84 + 50 * triangles
    return False


def _is_png(head: bytes, size: int) -> bool:
    return head.startswith(b"\x89PNG\r\n\x1a\n")


def _is_jpeg(head: bytes, size: int) -> bool:
    return head.startswith(b"\xff\xd8\xff")


def _is_tiff(head: bytes, size: int) -> bool:
    return head[:4] in (b"II*\x00", b"MM\x00*")


def _is_gif(head: bytes, size: int) -> bool:
    return head[:6] in (b"GIF87a", b"GIF89a")


def _is_webp(head: bytes, size: int) -> bool:
    return head[:4] == b"RIFF" and head[8:12] == b"WEBP"


FORMATS = {
    ".pdf": ("application/pdf", _is_pdf),
    ".dxf": ("image/vnd.dxf", _is_dxf),
    ".dwg": ("image/vnd.dwg", _is_dwg),
    ".step": ("model/step", _is_step),
    ".stp": ("model/step", _is_step),
    ".iges": ("model/iges", _is_iges),
    ".igs": ("model/iges", _is_iges),
    ".stl": ("model/stl", _is_stl),
    ".png": ("image/png", _is_png),
    ".jpg": ("image/jpeg", _is_jpeg),
    ".jpeg": ("image/jpeg", _is_jpeg),
    ".tif": ("image/tiff", _is_tiff),
    ".tiff": ("image/tiff", _is_tiff),
    ".gif": ("image/gif", _is_gif),
    ".webp": ("image/webp", _is_webp),
}
ACCEPTED_EXTENSIONS = ", ".join(sorted({ext.lstrip(".").upper() for ext in FORMATS}))


def sanitized_name(name: str) -> str:
    """Return a file name with no path, no control characters and a bounded length."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip(" .")
    stem, extension = os.path.splitext(name)
    stem = stem[: MAX_NAME_LENGTH - len(extension)]
    return f"{stem}{extension}" if stem else f"drawing{extension}"


def inspect_drawing(uploaded) -> dict:
    """Check an uploaded file; return its clean name, extension, type, size and hash."""
    name = sanitized_name(uploaded.name)
    extension = os.path.splitext(name)[1].lower()
    if extension not in FORMATS:
        raise DrawingRejected(
            _("“%(name)s” is not a drawing format we accept. Accepted: %(formats)s.")
            % {"name": name, "formats": ACCEPTED_EXTENSIONS}
        )
    size = uploaded.size
    if size == 0:
        raise DrawingRejected(_("“%(name)s” is empty.") % {"name": name})
    if size > settings.MAX_DRAWING_BYTES:
        raise DrawingRejected(
            _("“%(name)s” is %(size)s MB; the limit is %(limit)s MB per file.")
            % {
                "name": name,
                "size": f"{size / 1_048_576:.1f}",
                "limit": settings.MAX_DRAWING_BYTES // 1_048_576,
            }
        )
    uploaded.seek(0)
    head = uploaded.read(4096)
    content_type, looks_right = FORMATS[extension]
    if not looks_right(head, size):
        raise DrawingRejected(
            _("“%(name)s” does not contain %(format)s data. Please attach the original file.")
            % {"name": name, "format": extension.lstrip(".").upper()}
        )
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return {
        "original_name": name,
        "extension": extension,
        "content_type": content_type,
        "size": size,
        "sha256": digest.hexdigest(),
    }
