"""Celery tasks of the brokering engine: thin wrappers that call services."""

from celery import shared_task

from brokerage.services import heartbeat_record


@shared_task(name="brokerage.heartbeat")
def heartbeat(name: str = "worker") -> None:
    """Prove that a worker takes tasks from the broker (and, scheduled, that beat runs)."""
    heartbeat_record(name=name)
