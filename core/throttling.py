"""DRF's rate limits, counted so that requests arriving together pass no more than the limit.

DRF's SimpleRateThrottle reads a list of times from the cache and writes it back, so
requests arriving together all read the same list and all pass
(encode/django-rest-framework#5181). SlicedRateThrottle keeps DRF's rates, keys and
`wait()` contract but counts a period in slices with the cache's atomic add and incr
(Redis's SET NX and INCR): each request takes its own count, so the limit holds however
many arrive at once, but for the instant one slice turns into the next. It lives in the
bottom layer so that every app's doors can use it.
"""

from __future__ import annotations

import math

from rest_framework.throttling import SimpleRateThrottle

# A period is counted in this many slices, plus the slice it began in: a limit is never
# exceeded over any stretch of one period, and is at most a tenth of a period stricter.
WINDOW_BUCKETS = 10


class SlicedRateThrottle(SimpleRateThrottle):
    """A DRF throttle whose count cannot be outrun by concurrent requests."""

    retry_at: float | None = None

    def allow_request(self, request, view) -> bool:
        self.retry_at = None
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        return self.count_request()

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
