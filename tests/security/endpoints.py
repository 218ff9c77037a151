"""Every endpoint and page of the platform, as the URL resolver and the API schema know them.

The matrix compares these lists with its rows, so that a new endpoint without a row
fails the test instead of going unchecked.
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import EndpointEnumerator

# What the matrix does not cover, and why: Django's own admin (staff only, with its own
# login and permissions) and the language switch (sets a cookie, shows nothing).
NOT_PAGES = ("admin/", "i18n/")


def url_routes(patterns=None, prefix: str = ""):
    """Yield (route, pattern) for every URL pattern, with its full route string."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from url_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern


def page_routes() -> set[str]:
    """Return the route of every page (every URL outside /api/ and the excluded ones)."""
    return {
        route
        for route, _ in url_routes()
        if not route.startswith("api/") and not route.startswith(NOT_PAGES)
    }


def api_operations() -> set[tuple[str, str]]:
    """Return (method, path) of every DRF endpoint under /api/, paths as in the schema."""
    return {
        (method.upper(), path)
        for path, _, method, _ in EndpointEnumerator().get_api_endpoints()
        if path.startswith("/api/")
    }


def plain_views_under_api() -> set[str]:
    """Return routes under /api/ served by plain Django views (the schema misses them)."""
    return {
        route
        for route, pattern in url_routes()
        if route.startswith("api/") and not hasattr(pattern.callback, "cls")
    }
