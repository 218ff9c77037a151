"""The access module: it stands under every app, and reads who the viewer is once a request."""

import ast
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from core import access
from core.processes import ROOT
from tests.kit.steps import route_waiting_requests
from tests.kit.worlds import kyoto_world

PROJECT_APPS = ("members", "capabilities", "orders", "brokerage", "demo", "bench")


def test_core_imports_no_project_app():
    # Given every module of core
    for path in Path(ROOT / "core").rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        # When its imports are read
        imported = {
            name.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for name in (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
            )
        }
        # Then none is a project app: every app may ask core, core asks none of them
        assert not imported & set(PROJECT_APPS), (path, imported & set(PROJECT_APPS))


@pytest.mark.django_db
def test_a_viewer_is_read_once_per_request_and_never_carried_over():
    # Given an office person
    world = kyoto_world()
    user = world.office_user
    # When asked twice inside one request, then in the next one, then outside any
    access.viewers_begin()
    first, again = access.viewer_of(user), access.viewer_of(user)
    access.viewers_end()
    access.viewers_begin()
    next_request = access.viewer_of(user)
    access.viewers_end()
    outside = access.viewer_of(user), access.viewer_of(user)
    # Then one request shares one viewer; the next request and work outside one read afresh
    assert first is again
    assert next_request is not first
    assert outside[0] is not outside[1]
    assert first.office_network_ids == {world.network.pk}


@pytest.mark.django_db
def test_the_office_memberships_are_read_once_for_a_whole_page():
    # Given a routed request, read by its office on the request's page
    world = kyoto_world()
    body = {
        "network": world.network.slug,
        "title": "Bracket",
        "description": "Milled.",
        "requirements": [{"capability": "process.machining.milling"}],
    }
    customer = APIClient()
    customer.force_authenticate(world.customer)
    rfq_id = customer.post("/api/rfqs/", body, format="json").json()["id"]
    route_waiting_requests()
    client = APIClient()
    client.force_login(world.office_user)
    # When the page is rendered (it asks the office's role a dozen times)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/requests/{rfq_id}/")
    # Then the person's own memberships were read from the database once
    assert response.status_code == 200
    own = f'"members_membership"."firm_id" = {world.office_user.firm_id}'
    firm_active = '"members_firm"."is_active"'
    viewer_reads = [q["sql"] for q in queries if own in q["sql"] and firm_active in q["sql"]]
    assert len(viewer_reads) == 1, viewer_reads
