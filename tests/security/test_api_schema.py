"""The schema at /api/schema/ is what the API does: answers, error answers and summaries.

Schemathesis (test_api_fuzzing) tries generated requests; these tests pin the cases it
found, and the promises that hold for every operation however it was written.
"""

from __future__ import annotations

import json

import pytest
import requests
import schemathesis
from django.urls import path as url_path
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.views import APIView

from brokerage.api.errors import exception_handler
from orders.models import TeamMember

WRITES = ("post", "put", "patch", "delete")
PAGINATION_PARAMETERS = {"page", "page_size"}


@pytest.fixture(scope="module")
def raw_schema(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


@pytest.fixture(scope="module")
def api_schema(raw_schema):
    return schemathesis.openapi.from_dict(raw_schema)


def answer(api_schema, world, role: str, method: str, path: str, **path_parameters):
    """Call one operation as `role`; return the operation and its answer, for Schemathesis."""
    client = APIClient()
    client.force_authenticate(world.user(role))
    url = path.format(**path_parameters)
    response = client.generic(method, url)
    as_sent = requests.Request(method, f"http://testserver{url}").prepare()
    answered = schemathesis.Response(
        status_code=response.status_code,
        headers={name: [value] for name, value in response.headers.items()},
        content=response.content,
        request=as_sent,
        elapsed=0.0,
        verify=True,
    )
    return api_schema[path][method], answered


def test_the_drawings_of_a_request_are_a_page_like_every_list(db, world, api_schema):
    # Given a request with a drawing, seen by its customer
    rfq_id = world.ids["rfq_open"]
    # When the customer lists its drawings
    operation, response = answer(
        api_schema, world, "customer", "GET", "/api/rfqs/{id}/attachments/", id=rfq_id
    )
    # Then the answer is a page of them, as the schema says
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"count", "next", "previous", "results"}
    assert [drawing["id"] for drawing in body["results"]] == [world.ids["drawing_open"]]
    operation.validate_response(response)


def test_a_member_without_the_nda_gets_an_empty_page_of_drawings(db, world, api_schema):
    operation, response = answer(
        api_schema,
        world,
        "member_without_nda",
        "GET",
        "/api/rfqs/{id}/attachments/",
        id=world.ids["rfq_open"],
    )
    assert response.status_code == 200
    assert response.json()["count"] == 0
    assert response.json()["results"] == []
    operation.validate_response(response)


def test_a_team_part_without_a_phase_is_within_the_schema(db, world, api_schema):
    # Given a team whose parts have no phase (only Rodan21's consultations have phases)
    order_id = world.ids["order_running"]
    assert TeamMember.objects.filter(order_id=order_id, phase="").exists()
    # When the office reads the team
    operation, response = answer(
        api_schema, world, "office", "GET", "/api/orders/{id}/team/", id=order_id
    )
    # Then the blank phase is one the schema allows
    assert response.status_code == 200
    operation.validate_response(response)


def test_a_refusal_per_field_also_says_what_is_wrong_in_detail(db, world):
    # When a customer submits a request without any of its fields
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(world.user("customer"))
    response = client.post("/api/rfqs/", {}, format="json")
    # Then the answer says so per field, and in one sentence under `detail`
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Correct the fields marked."
    assert body["title"] and all(isinstance(message, str) for message in body["title"])


def test_a_refusal_as_a_bare_list_becomes_the_one_shape():
    response = exception_handler(ValidationError(["Pick one.", "Or the other."]), {})
    assert response.status_code == 400
    assert response.data == {"detail": "Pick one. Or the other."}


def operations(raw_schema):
    for path, item in raw_schema["paths"].items():
        for method, operation in item.items():
            if method in ("get", *WRITES):
                yield path, method, operation


def test_every_operation_has_its_own_summary(raw_schema):
    summaries = {}
    for path, method, operation in operations(raw_schema):
        assert operation.get("summary"), f"{method.upper()} {path} has no summary"
        summaries.setdefault(operation["summary"], []).append(f"{method.upper()} {path}")
    shared = {summary: ops for summary, ops in summaries.items() if len(ops) > 1}
    assert not shared, shared


def test_every_operation_documents_its_error_answers_with_the_one_shape(raw_schema):
    error = {"$ref": "#/components/schemas/Error"}
    missing = []
    for path, method, operation in operations(raw_schema):
        responses = operation["responses"]
        parameters = operation.get("parameters", [])
        # An operation that takes no credentials (a provider's signed webhook) cannot be
        # refused for their lack.
        authenticates = any(requirement for requirement in operation.get("security", [{}]))
        expected = {"401"} if authenticates else set()
        if any(parameter["in"] == "path" for parameter in parameters):
            expected.add("404")
        queries = {parameter["name"] for parameter in parameters if parameter["in"] == "query"}
        if (method in WRITES and method != "delete") or queries - PAGINATION_PARAMETERS:
            expected.add("400")
        if method in WRITES:
            expected.add("403")
        for status in sorted(expected - set(responses)):
            missing.append(f"{method.upper()} {path}: {status}")
        for status, documented in responses.items():
            if status.startswith("4"):
                schema = documented["content"]["application/json"]["schema"]
                assert schema == error, (method, path, status, schema)
    assert not missing, "\n".join(missing)


def test_the_error_shape_keeps_detail_and_the_messages_per_field(raw_schema):
    error = raw_schema["components"]["schemas"]["Error"]
    assert error["required"] == ["detail"]
    assert error["properties"]["detail"]["type"] == "string"
    assert error["additionalProperties"]


@pytest.mark.parametrize("path", ["/api/orders/-1/team/", "/api/rfqs/6.5/", "/api/no-such-thing/"])
def test_an_api_url_that_matches_nothing_is_the_one_error_shape(db, path):
    # When a client sends an id the URL patterns do not take
    response = APIClient(HTTP_ACCEPT_LANGUAGE="en").get(path)
    # Then the answer is the API's 404 in JSON, not the page meant for people
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_a_page_that_does_not_exist_is_still_a_page(db):
    response = APIClient().get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


class ExampleBody(serializers.Serializer):
    name = serializers.CharField()


class LaterEndpoint(APIView):
    """An endpoint someone adds later, saying nothing about its errors."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=ExampleBody, responses=ExampleBody)
    def post(self, request, pk: int):
        """Do something to one object."""
        return Response(request.data)


def test_an_endpoint_added_later_documents_its_errors_without_saying_so():
    # Given a new view that declares only its body and its answer
    patterns = [url_path("api/later/<int:pk>/", LaterEndpoint.as_view())]
    # When the schema is generated
    schema = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)
    operation = schema["paths"]["/api/later/{id}/"]["post"]
    # Then its summary is its docstring and its error answers are there, in the one shape
    assert operation["summary"] == "Do something to one object"
    assert set(operation["responses"]) == {"200", "400", "401", "403", "404", "409"}
    error = operation["responses"]["404"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "#/components/schemas/Error"}
