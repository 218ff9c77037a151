"""How a rate limit counts: never more than its number over any stretch of its period,
however many requests arrive at once, and never stricter than one slice of it.
"""

import os
import threading
import uuid

import pytest
from django.core.cache import cache
from django.test import RequestFactory, override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from brokerage.settings.services import cache_settings
from brokerage.throttles import TokenThrottle
from core.processes import ROOT
from core.throttling import WINDOW_BUCKETS

PERIOD = 60  # seconds in a minute, the period of the rates below


class Clock:
    """A clock the test moves by hand, read by the throttle instead of the real one."""

    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


def token_attempt(address: str = "192.0.2.1"):
    return RequestFactory().post("/api/auth/token/", REMOTE_ADDR=address)


def throttle_on(clock: Clock) -> TokenThrottle:
    throttle = TokenThrottle()
    throttle.timer = clock
    return throttle


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL), as in CI")
def test_requests_arriving_together_on_redis_pass_no_more_than_the_limit():
    # Given Redis as the shared cache and a limit of five token attempts a day per address
    shared = cache_settings(os.environ["REDIS_URL"], ROOT / "var")
    shared["KEY_PREFIX"] = f"together-{uuid.uuid4().hex}"
    with override_settings(CACHES={"default": shared}, THROTTLE_RATES={"token": "5/day"}):
        # When forty attempts from one address are checked at the same moment
        start = threading.Barrier(40)
        answers: list[bool] = []

        def attempt():
            start.wait()
            answers.append(TokenThrottle().allow_request(token_attempt(), None))

        threads = [threading.Thread(target=attempt) for _ in range(40)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        # Then exactly five pass, and the rest are refused
        assert len(answers) == 40
        assert answers.count(True) == 5


@override_settings(THROTTLE_RATES={"token": "2/minute"})
def test_a_refused_request_is_told_when_a_count_frees_and_passes_then():
    # Given an address that has used its two attempts of the minute
    clock = Clock(1_000_000.0)
    assert throttle_on(clock).allow_request(token_attempt(), None)
    clock.now += 20
    assert throttle_on(clock).allow_request(token_attempt(), None)
    # When it tries again ten seconds later
    clock.now += 10
    refused = throttle_on(clock)
    assert not refused.allow_request(token_attempt(), None)
    # Then it is told to wait until the first attempt has left the minute, give or take
    # the slice it was counted in, and another address is not held back
    wait = refused.wait()
    assert PERIOD - 30 <= wait <= PERIOD - 30 + PERIOD / WINDOW_BUCKETS
    assert throttle_on(clock).allow_request(token_attempt("192.0.2.2"), None)
    # and it passes once that time has gone by, but not a moment before (quarter seconds
    # keep the clock's sums exact)
    clock.now += wait - 0.25
    assert not throttle_on(clock).allow_request(token_attempt(), None)
    clock.now += 0.25
    assert throttle_on(clock).allow_request(token_attempt(), None)


@settings(max_examples=200, deadline=None)
@given(
    limit=st.integers(min_value=1, max_value=6),
    # Eighths of a second up to half a minute: exact in binary, so the clock's sums are too.
    eighths=st.lists(st.integers(min_value=0, max_value=8 * PERIOD // 2), min_size=1, max_size=60),
)
def test_no_stretch_of_a_period_passes_more_than_the_limit(limit, eighths):
    # Given a limit of `limit` attempts a minute, and attempts at any times
    cache.clear()
    clock = Clock(1_000_000.0)
    passed, refused = [], []
    with override_settings(THROTTLE_RATES={"token": f"{limit}/minute"}):
        # When each attempt is checked in turn
        for gap in eighths:
            clock.now += gap / 8
            allowed = throttle_on(clock).allow_request(token_attempt(), None)
            (passed if allowed else refused).append(clock.now)
    # Then no minute holds more passed attempts than the limit
    for moment in passed:
        assert sum(moment - PERIOD < other <= moment for other in passed) <= limit
    # and an attempt is refused only when the limit was reached within the minute and
    # the one slice of it before
    slice_width = PERIOD / WINDOW_BUCKETS
    for moment in refused:
        assert sum(moment - PERIOD - slice_width < other <= moment for other in passed) >= limit
