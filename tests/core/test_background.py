"""Background work is enqueued by task name through core, after commit, and a broker that
is down refuses nothing."""

import ast
import datetime
import logging
from pathlib import Path

import pytest
from celery import current_app
from django.db import transaction
from django.utils import timezone

from core import clock
from core.background import broker_held, enqueue
from core.processes import ROOT
from core.simulation import simulated

TASK = "brokerage.heartbeat"


@pytest.fixture
def sent(monkeypatch):
    """Record what the registered task is asked to do instead of sending it."""
    import brokerage.tasks  # noqa: F401 - a worker has the tasks registered

    calls = []
    task = current_app.tasks[TASK]
    monkeypatch.setattr(task, "apply_async", lambda *a, **kw: calls.append((a, kw)))
    return calls


def service_modules() -> list[Path]:
    apps = ("members", "capabilities", "orders", "brokerage")
    return [
        path
        for app in apps
        for path in (ROOT / app).rglob("*.py")
        if "services" in path.parts or path.stem == "services"
    ]


def test_no_service_imports_a_tasks_module():
    # Given every service module of every app
    modules = service_modules()
    assert modules
    for path in modules:
        tree = ast.parse(path.read_text(), filename=str(path))
        # When its imports are read, at the top and inside functions
        imported = {
            name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for name in (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
            )
        }
        # Then none is a tasks module: services enqueue by name through core
        assert not {name for name in imported if name.split(".")[-1] == "tasks"}, path


@pytest.mark.django_db(transaction=True)
def test_a_task_is_sent_by_name_once_the_transaction_commits(sent):
    # Given a transaction that enqueues a task by its name
    with transaction.atomic():
        enqueue(TASK, name="worker-7")
        # Then nothing is sent before the commit
        assert sent == []
    # And the registered task is sent after it, with its arguments, without retrying
    assert sent == [(((), {"name": "worker-7"}), {"retry": False})]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_sends_nothing(sent):
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue(TASK, name="worker-7")
        raise RuntimeError("rolled back")
    assert sent == []


def test_a_broker_that_is_down_is_logged_and_refuses_nothing(sent, monkeypatch, caplog):
    # Given a broker that cannot be reached
    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("connection refused")

    monkeypatch.setattr(current_app.tasks[TASK], "apply_async", broker_down)
    # When work is enqueued
    with caplog.at_level(logging.WARNING, logger="core.background"):
        enqueue(TASK, "worker", on_commit=False)
    # Then the caller goes on, and the log says the sweeper will do the work
    assert "brokerage.heartbeat" in caplog.text
    assert "sweeper" in caplog.text


def test_a_task_this_process_has_not_registered_is_sent_by_its_name(monkeypatch):
    # Given a web process, which never imports the tasks modules
    sent_by_name = []
    monkeypatch.setattr(
        current_app, "send_task", lambda name, *a, **kw: sent_by_name.append((name, a, kw))
    )
    # When it enqueues a task it does not know
    enqueue("elsewhere.unknown_task", 7, on_commit=False)
    # Then the broker is sent the name and the arguments, once, without retrying
    assert sent_by_name == [("elsewhere.unknown_task", ((7,), {}), {"retry": False})]


def test_the_held_broker_is_sent_nothing_until_the_block_ends(sent):
    with broker_held():
        enqueue(TASK, "held", on_commit=False)
    assert sent == []
    enqueue(TASK, "after", on_commit=False)
    assert len(sent) == 1


@pytest.mark.django_db
def test_simulated_history_runs_on_the_set_clock_with_the_broker_held(
    sent, django_capture_on_commit_callbacks
):
    # Given a moment in the past
    moment = datetime.datetime(2025, 4, 1, 9, 30, tzinfo=datetime.UTC)
    # When history runs inside the one hook, and commits
    with simulated(lambda: moment):
        with django_capture_on_commit_callbacks(execute=True):
            enqueue(TASK, "replayed")
        # Then the clock, and Django's own, answer that moment
        assert clock.now() == moment
        assert timezone.now() == moment
    # And nothing reached the broker; afterwards the clock is the wall's again
    assert sent == []
    assert clock.now() > moment
