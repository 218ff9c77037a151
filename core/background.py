"""Enqueueing background work: a Celery task sent by its registered name.

Services never import tasks (the tasks import the services they wrap, so an import the
other way makes a cycle). They name the task instead: `enqueue("brokerage.route_request",
rfq.pk)`. The task is sent after the current transaction commits, so a worker never looks
for a row that is not yet there, or that a rollback took back.

A broker that is down loses nothing and refuses nothing: the work a service enqueues is
always saved first (a submitted request, a pending notification, a directory contact), and
a sweeper on beat does it later (routing, the outbox). So a failed send is logged and the
service's answer stands; `enqueue` never raises for the broker.

`broker_held` is the one place that keeps work off the broker: inside it `enqueue` sends
nothing (the year replay, which must not deliver a year of replayed messages).
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)

_held: ContextVar[bool] = ContextVar("core.background.held", default=False)


def enqueue(task_name: str, *args, on_commit: bool = True, **kwargs) -> None:
    """Send the task registered as `task_name` with these arguments, after the commit of
    the current transaction (or now, `on_commit=False`); a broker that is down is logged."""
    if on_commit:
        transaction.on_commit(lambda: send(task_name, args, kwargs))
    else:
        send(task_name, args, kwargs)


def send(task_name: str, args: tuple, kwargs: dict) -> None:
    if _held.get():
        return
    try:
        # A signature finds the registered task (and its options) by name; a name this
        # process does not know is sent to the broker as it is.
        current_app.signature(task_name, args=args, kwargs=kwargs).apply_async(retry=False)
    except Exception as error:  # noqa: BLE001 - the work is saved; its sweeper will do it
        logger.warning(
            "broker unavailable, %s%r waits for its sweeper: %s", task_name, args or kwargs, error
        )


@contextmanager
def broker_held() -> Iterator[None]:
    """Send nothing to the broker inside the block; the rows the services write stay.

    The hold must enclose the transaction's commit: the after-commit sends run then.
    """
    token = _held.set(True)
    try:
        yield
    finally:
        _held.reset(token)
