"""Turn refusals into 4xx answers of one shape that say what to do, never a 500.

Every error answer is an object with `detail`, one message a person can act on, and, when
the refusal is about fields, the messages per field beside it (a list of messages, or for
a nested field the same shape nested): `{"detail": "...", "title": ["..."]}`. Clients that
read `detail`, or the messages of a field, both keep working. `ErrorSerializer` documents
the shape in the schema; `brokerage.api.schema` puts it on every operation.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import Refusal

FIELD_MESSAGES = _("Correct the fields marked.")


class ErrorSerializer(serializers.Serializer):
    """Why the request was refused, as a whole and per field."""

    detail = serializers.CharField(
        help_text="What is wrong and what to do, in the reader's language."
    )


class ErrorSerializerSchema(OpenApiSerializerExtension):
    """Describe the messages per field that sit beside `detail`."""

    target_class = ErrorSerializer

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_basic_serializer(self.target, direction)
        schema["additionalProperties"] = {
            "description": "The messages about one field: a list of messages, or for a "
            "nested field (a list or an object of fields) the same messages nested.",
            "oneOf": [
                {"type": "array", "items": {"oneOf": [{"type": "string"}, {"type": "object"}]}},
                {"type": "object"},
            ],
        }
        return schema


def first_message(messages) -> str:
    """Return the first message in a (nested) structure of messages, or ''."""
    if messages is None:
        return ""
    if isinstance(messages, dict):
        messages = list(messages.values())
    if isinstance(messages, list | tuple):
        for item in messages:
            found = first_message(item)
            if found:
                return found
        return ""
    return str(messages)


def error_body(messages) -> dict:
    """Return the one error shape for what a refusal said: a message, a list or per field."""
    if isinstance(messages, dict):
        body = dict(messages)
        detail = body.pop("detail", None)
        if detail is None or isinstance(detail, list | tuple | dict):
            # A message about the whole body says it best; otherwise point at the fields.
            detail = (
                first_message(detail)
                or first_message(body.get(api_settings.NON_FIELD_ERRORS_KEY))
                or str(FIELD_MESSAGES)
            )
        return {"detail": str(detail), **body}
    if isinstance(messages, list | tuple):
        return {"detail": " ".join(str(message) for message in messages)}
    return {"detail": str(messages)}


def exception_handler(exc, context):
    """Answer a refusal (`core.errors.Refusal`, or Django's ValidationError as a 400) and
    DRF's own errors in the one error shape."""
    if isinstance(exc, Refusal):
        by_field = exc.messages_by_field()
        messages = (
            {field: [str(message) for message in texts] for field, texts in by_field.items()}
            if None not in by_field
            else [str(message) for message in exc.messages]
        )
        return Response(error_body(messages), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        messages = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        return Response(error_body(messages), status=status.HTTP_400_BAD_REQUEST)
    response = drf_exception_handler(exc, context)
    if response is not None:
        response.data = error_body(response.data)
    return response


def page_not_found(request, exception):
    """Answer a URL that matches nothing: the one error shape under /api/, a page elsewhere.

    An API client that sends an id the URL patterns do not take (`-1`, `6.5`) gets JSON
    like any other 404 of the API, not the HTML page meant for people.
    """
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(NotFound().detail), status=status.HTTP_404_NOT_FOUND)
    return defaults.page_not_found(request, exception)
