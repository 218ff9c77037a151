"""The deadline sweep task claims a batch again when PostgreSQL chose it as a deadlock victim."""

import pytest
from django.db import OperationalError
from psycopg import errors as database_errors

from brokerage import tasks


def deadlock_error() -> OperationalError:
    error = OperationalError("deadlock detected")
    error.__cause__ = database_errors.DeadlockDetected("deadlock detected")
    return error


def test_a_batch_lost_to_a_deadlock_is_claimed_again(monkeypatch):
    # Given a sweeper whose first batch is rolled back by a deadlock, then fires 3, then none
    outcomes = [deadlock_error(), 3, 0]

    def fire_due():
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    monkeypatch.setattr(tasks, "deadlines_fire_due", fire_due)
    # When the sweep runs
    fired = tasks.sweep_deadlines()
    # Then the lost batch was claimed again and everything was counted once
    assert fired == 3
    assert outcomes == []


def test_other_database_errors_are_not_swallowed(monkeypatch):
    # Given a sweeper whose database is gone
    def fire_due():
        raise OperationalError("connection refused")

    monkeypatch.setattr(tasks, "deadlines_fire_due", fire_due)
    # When the sweep runs, then the error reaches Celery (which records the failure)
    with pytest.raises(OperationalError, match="connection refused"):
        tasks.sweep_deadlines()
