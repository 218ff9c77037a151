"""The generated OpenAPI schema: what each operation answers, errors included.

`ApiAutoSchema` is the project's DEFAULT_SCHEMA_CLASS. It reads from the view itself
which error answers an operation can give, so that an endpoint added later documents them
without anyone remembering to:

    400  a body to validate (every write), or query parameters other than the page
    401  the view authenticates (a wrong or expired token is refused on any operation)
    403  a write (permissions, workflow refusals, CSRF for sessions), or a read that not
         everyone may make
    404  an object named in the path, or a page of a list past its end
    409  a write on an object named in the path (its state may no longer allow the step)
    429  the view throttles

Every 4xx answer has the one error body, `brokerage.api.errors.ErrorSerializer` (the
exception handler answers nothing else), whatever a view's own `extend_schema` says of it;
a view's description of a status stays. The summary of an operation is its
`extend_schema(summary=...)` or the first line of its method's docstring.
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import get_doc
from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions

from brokerage.api.errors import ErrorSerializer

WRITES = ("POST", "PUT", "PATCH", "DELETE")
PAGINATION_PARAMETERS = ("page", "page_size")
# Permissions under which anyone may read.
OPEN_FOR_READING = (permissions.AllowAny, permissions.IsAuthenticatedOrReadOnly)
ERROR_ANSWERS = {
    "400": "The request is not valid: `detail` says why, and the fields' messages which.",
    "401": "No valid credentials: log in, or send `Authorization: Token …`.",
    "403": "The caller may not do this (or may not see it in this state).",
    "404": "No such object, or none the caller may see (or no such page of the list).",
    "409": "The object is no longer in a state that allows this step.",
    "429": "Too many requests: wait as `Retry-After` says, then try again.",
}


class ApiAutoSchema(AutoSchema):
    """Describe each operation with its summary and the error answers its view can give."""

    def get_summary(self):
        return self._method_doc().split("\n", 1)[0].rstrip(".") or None

    def get_description(self):
        # The method's docstring past its summary line, or what the whole view is for.
        rest = self._method_doc().partition("\n")[2].strip()
        return rest or get_doc(self.view.__class__)

    def _method_doc(self) -> str:
        name = getattr(self.view, "action", None) or self.method.lower()
        return get_doc(getattr(self.view, name, None))

    def get_filter_backends(self):
        # A viewset filters its `list` only; its other actions answer what they name.
        action = getattr(self.view, "action", None)
        if action is not None and action != "list":
            return []
        return super().get_filter_backends()

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        for status in self.error_statuses(operation):
            responses.setdefault(status, {"description": ERROR_ANSWERS[status]})
        for status, response in responses.items():
            if status.startswith("4"):
                # Whatever a view said of its error body, the handler answers the one shape.
                error = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer), status, media_types=["application/json"]
                )
                response["content"] = error["content"]
                response["description"] = response.get("description") or ERROR_ANSWERS.get(
                    status, ""
                )
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def error_statuses(self, operation: dict) -> list[str]:
        """Return the error statuses the view can answer for this operation."""
        parameters = operation.get("parameters", [])
        in_path = any(parameter["in"] == "path" for parameter in parameters)
        queries = {parameter["name"] for parameter in parameters if parameter["in"] == "query"}
        writes = self.method in WRITES
        paginated = self._get_paginator() is not None and self._is_list_view()
        open_for_reading = all(
            isinstance(permission, OPEN_FOR_READING) for permission in self.view.get_permissions()
        )
        statuses = {
            "400": writes or bool(queries.difference(PAGINATION_PARAMETERS)),
            "401": bool(self.view.get_authenticators()),
            "403": writes or not open_for_reading,
            "404": in_path or paginated,
            "409": writes and in_path,
            "429": bool(self.view.get_throttles()),
        }
        return [status for status, applies in statuses.items() if applies]


def integer_path_ids(result, generator, request, public):
    """Describe digit-only path parameters as what they are: integer ids, from 1.

    The URL patterns only match digits there (anything else is a 404 before any view
    runs), which drf-spectacular would otherwise publish as a string with a pattern.
    """
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                pattern = parameter.get("schema", {}).get("pattern")
                if parameter.get("in") == "path" and pattern in ("^[0-9]+$", r"^\d+$"):
                    parameter["schema"] = {"type": "integer", "minimum": 1}
    return result
