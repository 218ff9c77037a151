"""Rate limits on the doors strangers knock on (submission, login, tokens) and the lockout.

The counters live in the shared cache (Redis in production), so every web process counts
against the same limit. Rates come from settings.THROTTLE_RATES, read at each request so
that they follow the environment (and tests). A limit is a brake, not a wall the service
depends on: when the cache does not answer, requests go through and a warning is logged,
because refusing every submission while Redis is down would lose exactly what the outbox
and sweeper exist to keep.

The counting is core.throttling's, atomic: requests arriving together pass no more than
the limit.
"""

from __future__ import annotations

import logging
from functools import wraps

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.throttling import SlicedRateThrottle

logger = logging.getLogger(__name__)


def client_address(request: HttpRequest) -> str | None:
    """Return the client's address, counting back past only the proxies we run.

    A client can write anything into X-Forwarded-For; only the entries our own proxies
    appended (the last TRUSTED_PROXY_COUNT) can be believed. None when there is none
    (a request made inside the process, such as a test's forced login).
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-min(proxies, len(hops))]
    return request.META.get("REMOTE_ADDR") or None


class ConfiguredRateThrottle(SlicedRateThrottle):
    """A throttle whose rate is settings.THROTTLE_RATES[scope], failing open on cache errors."""

    scope = ""
    # Count per signed-in person rather than per address (submission, not login).
    per_user = False

    def get_rate(self) -> str | None:
        return settings.THROTTLE_RATES.get(self.scope)

    def get_ident(self, request) -> str:
        return client_address(request) or "unknown"

    def get_cache_key(self, request, view) -> str:
        user = getattr(request, "user", None)
        if self.per_user and user is not None and user.is_authenticated:
            ident = f"user-{user.pk}"
        else:
            ident = f"address-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request, view) -> bool:
        # The rate is read now, not when the class was defined: it follows the settings.
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        try:
            return super().allow_request(request, view)
        except Exception as error:  # noqa: BLE001 - a limit must never take the service down
            logger.warning("rate limit %s not applied, cache unavailable: %s", self.scope, error)
            return True


class SubmissionThrottle(ConfiguredRateThrottle):
    """Requests submitted: per customer, or per address for visitors signing up."""

    scope = "submission"
    per_user = True


class SuggestionThrottle(ConfiguredRateThrottle):
    """Capability suggestions read from a text: per person, or per address for visitors."""

    scope = "suggestion"
    per_user = True


class LoginThrottle(ConfiguredRateThrottle):
    """Passwords tried on the login pages, per address."""

    scope = "login"


class TokenThrottle(ConfiguredRateThrottle):
    """Passwords exchanged for API tokens, per address."""

    scope = "token"


def too_many_requests(request: HttpRequest, wait_seconds: float | None) -> HttpResponse:
    """Answer 429 with Retry-After: JSON for API clients, a page for people."""
    retry_after = max(1, round(wait_seconds or 60))
    message = _("Too many attempts. Please wait %(seconds)s seconds and try again.") % {
        "seconds": retry_after
    }
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=429)
    else:
        response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(retry_after)
    return response


def throttled(throttle_class: type[ConfiguredRateThrottle], *, methods=("POST",)):
    """Apply a throttle to a plain Django view for the given methods (pages, not the API)."""

    def decorate(view):
        @wraps(view)
        def guarded(request, *args, **kwargs):
            if request.method in methods:
                throttle = throttle_class()
                if not throttle.allow_request(request, None):
                    return too_many_requests(request, throttle.wait())
            return view(request, *args, **kwargs)

        return guarded

    return decorate


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """Answer a locked-out login (django-axes): 429 with when to try again.

    The API gets JSON; the login page is shown again with the reason, so a person knows
    why the right password did not work either.
    """
    cool_off = settings.AXES_COOLOFF_TIME
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else None
    message = _(
        "Too many failed logins for this account from your address. "
        "Try again in %(minutes)s minutes, or ask your office to reset it."
    ) % {"minutes": minutes or "?"}
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=429)
    else:
        form = AuthenticationForm(request)
        form.errors[NON_FIELD_ERRORS] = form.error_class([message])
        response = render(request, "registration/login.html", {"form": form}, status=429)
    if cool_off:
        response["Retry-After"] = str(round(cool_off.total_seconds()))
    return response
