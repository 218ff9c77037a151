"""When PostgreSQL is unreachable or restarting: a retryable 503, never a 500 traceback.

A lost connection aborts the request's transaction, so nothing half-written survives
(every write of the platform is one transaction). What is left is to tell the client
that trying again shortly is the right thing to do: 503 with Retry-After, as JSON for the
API and as a plain page for people. The page is drawn without the database (no session,
no user, no navigation), since the database is what is missing.

Two doors lead here: the middleware sees errors raised by views (and by DRF, which
re-raises what it does not know), and `server_error`, the project's handler500, sees
those raised anywhere else in the request (a session saved on the way out, say).
"""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.defaults import server_error as django_server_error

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
OUTAGE_ERRORS = (OperationalError, InterfaceError)


def is_database_outage(error: BaseException | None) -> bool:
    return isinstance(error, OUTAGE_ERRORS)


def database_unavailable(request: HttpRequest, error: BaseException) -> HttpResponse:
    """Answer 503 with Retry-After: JSON under /api/ (or when asked for), else a page."""
    logger.error("database unavailable for %s %s: %s", request.method, request.path, error)
    message = _("The service is briefly unavailable. Nothing was saved; please try again.")
    wants_json = request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )
    if wants_json:
        response = JsonResponse(
            {"detail": message, "retryable": True, "retry_after": RETRY_AFTER_SECONDS},
            status=503,
        )
    else:
        # The stylesheet by its plain name: even the static files' manifest may be away.
        stylesheet = "/" + settings.STATIC_URL.strip("/") + "/css/site.css"
        response = HttpResponse(
            render_to_string(
                "brokerage/outage.html", {"message": message, "stylesheet": stylesheet}
            ),
            status=503,
            content_type="text/html; charset=utf-8",
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseOutageMiddleware:
    """Turn a view's lost database connection into a retryable 503."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_outage(exception):
            return database_unavailable(request, exception)
        return None


def server_error(request, *args, **kwargs):
    """The project's handler500: a database outage is a 503, anything else Django's 500."""
    error = sys.exc_info()[1]
    if is_database_outage(error):
        return database_unavailable(request, error)
    return django_server_error(request, *args, **kwargs)
