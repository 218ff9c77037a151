"""Writes of the brokering engine that span the apps."""

from django.db import transaction

from brokerage.models import Heartbeat
from core import clock


@transaction.atomic
def heartbeat_record(*, name: str) -> Heartbeat:
    """Record that the named background process is alive now."""
    heartbeat, _ = Heartbeat.objects.update_or_create(name=name, defaults={"at": clock.now()})
    return heartbeat
