"""Turn refused workflow steps into 4xx answers that say what to do, never a 500."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from brokerage.errors import WorkflowError
from orders.drawings import DrawingRejected


def exception_handler(exc, context):
    if isinstance(exc, WorkflowError):
        return Response({"detail": str(exc)}, status=exc.status_code)
    if isinstance(exc, DrawingRejected):
        return Response({"file": [str(exc)]}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        body = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)
