"""Rows that are written once and never changed or deleted.

The ledger and the records it is posted from are corrected by new rows, never by edits.
The models refuse updates and deletes themselves, and on PostgreSQL a trigger (brokerage
migration 0004, from when these tables were created) refuses them in the database too,
whoever connects."""

from django.db import models


class AppendOnlyError(RuntimeError):
    """An append-only row was about to be changed or deleted."""


class AppendOnlyQuerySet(models.QuerySet):
    """Refuse bulk updates and deletes: append-only rows are corrected by new rows."""

    def update(self, **kwargs):
        raise AppendOnlyError(
            f"{self.model._meta.verbose_name_plural} are append-only; post a correction."
        )

    def delete(self):
        raise AppendOnlyError(
            f"{self.model._meta.verbose_name_plural} are append-only; post a correction."
        )


class AppendOnlyModel(models.Model):
    """A row that is written once and never changed or deleted."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(
                f"{self._meta.verbose_name} #{self.pk} is append-only; post a correction."
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(
            f"{self._meta.verbose_name} #{self.pk} is append-only; post a correction."
        )
