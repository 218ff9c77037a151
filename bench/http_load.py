"""A small closed-loop HTTP load generator for loopback benchmarks.

Each of `connections` threads keeps one HTTP/1.1 connection open and sends requests
back to back for `seconds`, so the figure is what the server sustains, not what the
client can push. Bounded in time and count; targets only 127.0.0.1.
"""

from __future__ import annotations

import http.client
import threading
import time
from dataclasses import dataclass

from bench.report import percentile

MAX_REQUESTS_PER_THREAD = 200_000


@dataclass(frozen=True)
class LoadResult:
    requests: int
    errors: int
    statuses: dict[int, int]
    seconds: float
    latencies_ms: list[float]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def latency(self, fraction: float) -> float:
        return percentile(self.latencies_ms, fraction) if self.latencies_ms else float("inf")


def load(
    *,
    port: int,
    method: str,
    path: str,
    body: bytes,
    headers: dict[str, str],
    connections: int,
    seconds: float,
) -> LoadResult:
    """Send requests on `connections` keep-alive connections for `seconds`; count answers."""
    lock = threading.Lock()
    statuses: dict[int, int] = {}
    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + seconds

    def worker() -> None:
        nonlocal errors
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        local_latencies, local_statuses, local_errors = [], {}, 0
        for _ in range(MAX_REQUESTS_PER_THREAD):
            if time.monotonic() >= deadline:
                break
            started = time.perf_counter()
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                local_errors += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            local_latencies.append((time.perf_counter() - started) * 1000)
            local_statuses[response.status] = local_statuses.get(response.status, 0) + 1
        connection.close()
        with lock:
            latencies.extend(local_latencies)
            errors += local_errors
            for status, count in local_statuses.items():
                statuses[status] = statuses.get(status, 0) + count

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return LoadResult(
        requests=len(latencies),
        errors=errors,
        statuses=statuses,
        seconds=time.monotonic() - started,
        latencies_ms=latencies,
    )
