"""Schemathesis against /api/schema/: every operation, as a customer, a member, an office
and platform staff.

Hypothesis generates bodies, queries and path parameters from the schema (for writes,
also bodies that break it); path ids are
drawn half the time from the objects that exist (so the bodies reach the services, not
only the 404 of an unknown id). Every response must be a non-5xx, with a status the
operation documents, of the documented content type, whose body matches the schema for
its status (errors included: the one error shape). Bounded and reproducible: a few
derandomized examples per operation and role, no example database, no deadline.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.security.world import build_world

# Writes get more examples than reads: their bodies are where the edge cases live.
EXAMPLES_PER_WRITE = 6
EXAMPLES_PER_READ = 3
FUZZED_ROLES = ("customer", "administrative_member", "office", "staff")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Operations whose answer is not JSON the schema can describe field by field, or that
# would end the session under test.
SKIPPED = {("GET", "/api/docs/"), ("GET", "/api/schema/")}


def known_ids(world) -> dict[str, list]:
    """Path parameter values that exist, by the collection the path starts with."""
    ids = world.ids
    return {
        "rfqs": [ids[key] for key in ids if key.startswith("rfq_")],
        "orders": [ids["order_forming"], ids["order_producing"], ids["order_running"]],
        "estimates": [ids["estimate_draft"], ids["estimate_sent"]],
        "invitations": [ids["invitation_open"], ids["invitation_board"]],
        "payout-batches": [ids["payout_batch"], ids["payout_closed"]],
        "proposals": [ids["proposal_other"]],
        "firms": [ids["firm_admin1"], ids["firm_invited"]],
        "networks": [ids["network"], ids["other_network"]],
        "capabilities": [ids["capability"]],
        "drawing_id": [ids["drawing_open"]],
        "delivery_id": [ids["delivery"]],
        "document_id": [ids["document"]],
        "part_id": [ids["part_invited"]],
        "membership_id": [ids["membership_uninvited"]],
        "closing_day_id": [ids["closing_day"]],
        "code": [ids["capability"]],
    }


def with_known_ids(case, pool: dict[str, list], choice: int):
    """Replace generated path ids by existing ones (for odd `choice`), by parameter name."""
    if choice % 2 == 0 or not case.path_parameters:
        return case
    collection = case.operation.path.split("/")[2]
    for name in list(case.path_parameters):
        values = pool.get(name) or pool.get(collection if name in ("pk", "slug") else "")
        if name == "firm_id":
            values = pool["firms"]
        if values:
            case.path_parameters[name] = values[choice % len(values)]
    return case


@pytest.fixture
def fuzz_world(transactional_db, settings, tmp_path):
    settings.STORAGES = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
        # Pages (the 404 page included) without collectstatic's manifest.
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # The fuzzer submits far more than a person: the limits are tested elsewhere.
    settings.THROTTLE_RATES = {"submission": None, "login": None, "token": None}
    return build_world()


def fuzz_operation(operation, *, headers: dict, pool: dict) -> None:
    """Send the operation's generated requests; raise what Schemathesis finds wrong."""
    reads = operation.method.upper() == "GET"
    examples = EXAMPLES_PER_READ if reads else EXAMPLES_PER_WRITE
    cases = operation.as_strategy()
    if not reads:
        # Bodies that break the schema too (wrong types, missing fields): a 4xx, never a 5xx.
        cases = st.one_of(cases, operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))

    @given(case=cases, choice=st.integers(min_value=0, max_value=5))
    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    def generated_request_is_answered_within_the_schema(case, choice):
        case = with_known_ids(case, pool, choice)
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)

    generated_request_is_answered_within_the_schema()


def test_the_api_answers_every_generated_request_within_its_schema(fuzz_world):
    # Given the API schema, served by the application itself
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    pool = known_ids(fuzz_world)
    failures = []
    for role in FUZZED_ROLES:
        token = Token.objects.get_or_create(user=fuzz_world.user(role))[0].key
        headers = {"Authorization": f"Token {token}"}
        for result in schema.get_all_operations():
            operation = result.ok()
            if (operation.method.upper(), operation.path) in SKIPPED:
                continue
            # When each operation gets generated requests as a customer, a member, an office,
            # platform staff
            try:
                fuzz_operation(operation, headers=headers, pool=pool)
            except (Exception, BaseExceptionGroup) as failure:  # noqa: BLE001 - report all
                failures.append(f"{role}: {operation.method.upper()} {operation.path}: {failure}")
    # Then no answer is a server error, and each matches the schema for its status
    assert not failures, "\n\n".join(failures)
