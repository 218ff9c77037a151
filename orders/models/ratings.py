"""The customer's rating of a delivered order: quality, delivery and communication."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from orders.models.orders import Order

LOWEST_SCORE = 1
HIGHEST_SCORE = 5
SCORES = ("quality", "delivery", "communication")


class Rating(models.Model):
    """How the customer rated an order, once per order; they may change it for a while."""

    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="rating")
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    quality = models.PositiveSmallIntegerField(_("quality rating"))
    delivery = models.PositiveSmallIntegerField(_("delivery rating"))
    communication = models.PositiveSmallIntegerField(_("communication rating"))
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("rated at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.CheckConstraint(
                condition=Q(**{f"{score}__gte": LOWEST_SCORE, f"{score}__lte": HIGHEST_SCORE}),
                name=f"rating_{score}_in_range",
            )
            for score in SCORES
        ]

    def __str__(self) -> str:
        return f"Rating of order #{self.order_id}"

    @property
    def average(self) -> float:
        return sum(getattr(self, score) for score in SCORES) / len(SCORES)
