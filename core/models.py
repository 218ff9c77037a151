"""The Idempotency-Key a caller sent with a write, and what that write produced."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotentRequest(models.Model):
    """One caller's key on one operation, the fingerprint of its body and its result.

    A key belongs to (caller, operation): another caller's key, or the same key on another
    endpoint, is simply a new key. The row is written in the same transaction as the
    result, after the caller was found allowed, so a committed row always names its result.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    operation = models.CharField(_("operation"), max_length=40)
    key = models.CharField(_("key"), max_length=64)
    fingerprint = models.CharField(_("fingerprint of the request"), max_length=64)
    result_id = models.BigIntegerField(_("result"), null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "brokerage_idempotentrequest"
        verbose_name = _("idempotent request")
        verbose_name_plural = _("idempotent requests")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "operation", "key"], name="idempotent_request_once_per_caller"
            )
        ]

    def __str__(self) -> str:
        return f"{self.operation} {self.key} by #{self.user_id}"
