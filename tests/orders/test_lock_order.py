"""Team rows are locked in primary-key order, so two steps naming them in any order never deadlock.

The scenario is made deterministic by a third transaction that holds the lowest team row
while two steps queue up behind it, one naming the rows upwards and one downwards:

- locked one row at a time in the order given, the downward step already holds the
  higher row when the lowest is released; the upward step (first in the queue) then takes
  the lowest and waits for the higher one, and PostgreSQL finds a deadlock;
- locked by ``team_rows_lock`` (primary-key order), the downward step holds nothing while
  it waits for the lowest row, so both steps run one after the other.
"""

import threading
import time
from collections.abc import Callable

import pytest
from django.db import OperationalError, connection, transaction

from orders.locks import team_rows_lock
from orders.models import Order, TeamMember
from tests.kit.factories import AcceptedOrderFactory
from tests.kit.worlds import migakiya_world

LockParts = Callable[[Order, list[int]], None]


def lock_parts_one_at_a_time(order: Order, part_ids: list[int]) -> None:
    """The way team rows were locked before: row by row, in whatever order the caller had."""
    for part_id in part_ids:
        TeamMember.objects.select_for_update().get(pk=part_id, order=order)


def lock_parts_in_documented_order(order: Order, part_ids: list[int]) -> None:
    team_rows_lock(order=order, part_ids=part_ids)


def waiting_for_locks() -> int:
    with connection.cursor() as cursor:
        # Within a transaction, activity statistics are a snapshot unless cleared.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def wait_until_waiting(count: int) -> None:
    deadline = time.monotonic() + 10
    while waiting_for_locks() < count:
        assert time.monotonic() < deadline, f"{count} transactions never queued for the lock"
        time.sleep(0.01)


def two_steps_locking_the_team_in_opposite_orders(lock_parts: LockParts) -> dict[str, object]:
    """Run the scenario of the module docstring; return each step's outcome."""
    world = migakiya_world()
    order = AcceptedOrderFactory(world=world, team={"admin1": 4_000, "polisher1": 6_000})
    lowest, highest = sorted(order.team_members.values_list("pk", flat=True))
    outcomes: dict[str, object] = {}

    def step(name: str, part_ids: list[int]) -> None:
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    # A lost race fails the test in seconds rather than hanging it.
                    cursor.execute("SET LOCAL lock_timeout = '10s'")
                lock_parts(order, part_ids)
            outcomes[name] = "locked both"
        except OperationalError as error:
            outcomes[name] = error
        finally:
            connection.close()

    upward = threading.Thread(target=step, args=("upward", [lowest, highest]))
    downward = threading.Thread(target=step, args=("downward", [highest, lowest]))
    with transaction.atomic():
        # Given a transaction holding the lowest team row
        TeamMember.objects.select_for_update().get(pk=lowest)
        # When one step names the rows upwards and then another downwards, both queue up
        upward.start()
        wait_until_waiting(1)
        downward.start()
        wait_until_waiting(2)
    # and the lowest row is released
    upward.join(timeout=30)
    downward.join(timeout=30)
    assert not upward.is_alive() and not downward.is_alive(), "a step never finished"
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_team_rows_locked_in_primary_key_order_do_not_deadlock():
    outcomes = two_steps_locking_the_team_in_opposite_orders(lock_parts_in_documented_order)

    # Then both steps lock both rows, one after the other
    assert outcomes == {"upward": "locked both", "downward": "locked both"}


@pytest.mark.django_db(transaction=True)
def test_team_rows_locked_one_at_a_time_in_the_given_order_deadlock():
    # The scenario can fail: locked row by row in the order given, one step is a deadlock's
    # victim (which is why the lock functions fix the order).
    outcomes = two_steps_locking_the_team_in_opposite_orders(lock_parts_one_at_a_time)

    failures = [outcome for outcome in outcomes.values() if isinstance(outcome, Exception)]
    assert len(failures) == 1
    assert "deadlock detected" in str(failures[0])
