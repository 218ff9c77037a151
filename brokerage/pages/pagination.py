"""Lists are cut into pages: a page number past the end shows the last page."""

from django.core.paginator import Page, Paginator


def page_of(request, items, *, per_page: int) -> Page:
    """Return the requested page of `items` (the first page for a page number that is not one)."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))
