"""Rate limits on the doors strangers knock on (submission, login, tokens) and the lockout.

The counters live in the shared cache (Redis in production), so every web process counts
against the same limit. Rates come from settings.THROTTLE_RATES, read at each request so
that they follow the environment (and tests). A limit is a brake, not a wall the service
depends on: when the cache does not answer, requests go through and a warning is logged,
because refusing every submission while Redis is down would lose exactly what the outbox
and sweeper exist to keep.

DRF's own throttle reads a list of times and writes it back, so requests arriving together
all read the same list and all pass (encode/django-rest-framework#5181). Here a limit is
counted in slices of its period with the cache's atomic add and incr (Redis's SET NX and
INCR): requests arriving together each take their own count, so the limit holds however
many arrive at once, but for the instant one slice turns into the next.
"""

from __future__ import annotations

import logging
import math
from functools import wraps

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework.throttling import SimpleRateThrottle

logger = logging.getLogger(__name__)

# A period is counted in this many slices, plus the slice it began in: a limit is never
# exceeded over any stretch of one period, and is at most a tenth of a period stricter.
WINDOW_BUCKETS = 10


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


class ConfiguredRateThrottle(SimpleRateThrottle):
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
        self.retry_at = None
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        try:
            return self.count_request()
        except Exception as error:  # noqa: BLE001 - a limit must never take the service down
            logger.warning("rate limit %s not applied, cache unavailable: %s", self.scope, error)
            return True

    def count_request(self) -> bool:
        """Count this request in its slice of the period, unless the limit is reached.

        The slices of the period are read together; the current one is only ever changed
        by add and incr, which the cache performs atomically, so each request sees its own
        count. A refused request takes its count back.
        """
        self.now = self.timer()
        width = self.duration / WINDOW_BUCKETS
        current = math.floor(self.now / width)
        slices = {
            f"{self.key}:{index}": index for index in range(current - WINDOW_BUCKETS, current + 1)
        }
        current_key = f"{self.key}:{current}"
        counts = self.cache.get_many(list(slices))
        counted_before = sum(count for key, count in counts.items() if key != current_key)
        if counted_before < self.num_requests:
            # Kept for a whole period after the slice ends, while later slices still count it.
            timeout = math.ceil(self.duration + 2 * width)
            # The count read above only tells which call is likely to succeed first.
            if current_key not in counts and self.cache.add(current_key, 1, timeout):
                in_slice = 1
            else:
                in_slice = self.cache.incr(current_key)
            if counted_before + in_slice <= self.num_requests:
                return True
            self.cache.decr(current_key)
            counts[current_key] = in_slice
        # The oldest slice holding a request leaves the period first and frees its count.
        oldest = min((slices[key] for key, count in counts.items() if count > 0), default=current)
        self.retry_at = (oldest + WINDOW_BUCKETS + 1) * width
        return False

    def wait(self) -> float | None:
        """Return the seconds until the oldest counted slice leaves the period."""
        if self.retry_at is None:
            return None
        return max(0.0, self.retry_at - self.timer())


class SubmissionThrottle(ConfiguredRateThrottle):
    """Requests submitted: per customer, or per address for visitors signing up."""

    scope = "submission"
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
