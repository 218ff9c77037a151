"""Previews of a drawing: images a phone can show, made in the background after upload.

A drawing without a preview row is still waiting for one. The row, once written, is final:
either the pages are there (ready), or the format has none (unavailable: STEP, STL, ...),
or the file could not be read (failed), with the reason kept as a code.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from orders.models.requests import Drawing


class DrawingPreview(models.Model):
    class Status(models.TextChoices):
        READY = "ready", _("Preview ready")
        UNAVAILABLE = "unavailable", _("No preview for this format")
        FAILED = "failed", _("No preview: the file could not be read")

    class Reason(models.TextChoices):
        NONE = "", ""
        FORMAT = "format", _("This format has no preview yet; download the file to open it.")
        UNREADABLE = "unreadable", _("The file could not be read to make a preview.")
        TOO_LARGE = "too_large", _("The image is too large to make a preview.")
        NO_PAGES = "no_pages", _("The document has no page to show.")

    drawing = models.OneToOneField(Drawing, on_delete=models.CASCADE, related_name="preview")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    reason = models.CharField(max_length=12, choices=Reason.choices, blank=True, default="")
    page_count = models.PositiveIntegerField(default=0)
    made_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("drawing preview")
        verbose_name_plural = _("drawing previews")

    def __str__(self) -> str:
        return f"{self.drawing}: {self.status}"


def preview_image_path(instance: "PreviewImage", filename: str) -> str:
    drawing = instance.preview.drawing
    return f"previews/{drawing.rfq_id}/{drawing.sha256[:16]}-{instance.number}.png"


class PreviewImage(models.Model):
    """One page (or the picture) of a preview, a PNG kept privately beside the drawings."""

    preview = models.ForeignKey(DrawingPreview, on_delete=models.CASCADE, related_name="images")
    number = models.PositiveIntegerField()
    image = models.FileField(upload_to=preview_image_path, max_length=300)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()

    class Meta:
        ordering = ["preview", "number"]
        constraints = [
            models.UniqueConstraint(fields=["preview", "number"], name="preview_page_once")
        ]

    def __str__(self) -> str:
        return f"{self.preview.drawing} p.{self.number}"
