"""Pagination of the public directory, which runs to a hundred thousand firms."""

from django.core.paginator import Page

from core.pagination import CountedPagination, CountingPaginator

# A text search counts its matches only this far (50 pages of 20): a text most firms'
# names resemble is checked firm by firm (see capabilities.selectors), and "more than
# 1,000 firms" tells the visitor as much as a larger figure would.
SEARCH_COUNTED_ROWS = 1_000


def directory_counted_rows(q: str) -> int | None:
    """Return how far the directory counts for a search text (None: as every list does)."""
    return SEARCH_COUNTED_ROWS if q.strip() else None


class DirectoryPaginator(CountingPaginator):
    """Find a page's firms by id first, then read those rows alone (a deferred join).

    A deep page skips tens of thousands of firms: selecting only their ids lets PostgreSQL
    walk the name index alone (members' firm_directory_*_idx) instead of reading, or
    sorting, every skipped firm whole. The page's rows then come by primary key, in the
    list's own order and with its annotations and prefetches: one query more per page,
    whatever its size. The firms are counted only so far, as every long list is.

    A search that ranks a few firms first (they carry the alias `ranked`, and the list is
    ordered by their relevance, then in its own order) has its ranked firms read first,
    then the others in the list's own order: sorting every match by a relevance that is 0
    for all but a few would read them all, where the name index reads a page.
    """

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        page_ids = self._ids_between(bottom, top)
        return self._get_page(self.object_list.filter(pk__in=page_ids), number, self)

    def _ids_between(self, bottom: int, top: int) -> list[int]:
        firms = self.object_list
        if "ranked" not in firms.query.annotations:
            return list(firms.values_list("pk", flat=True)[bottom:top])
        ranked_ids = list(firms.filter(ranked=True).values_list("pk", flat=True))
        page_ids = ranked_ids[bottom:top]
        others_bottom, others_top = max(bottom - len(ranked_ids), 0), top - len(ranked_ids)
        if others_top > others_bottom:
            # The others' relevance is 0: their order is the rest of the list's.
            others = firms.filter(ranked=False).order_by(*firms.query.order_by[1:])
            page_ids += others.values_list("pk", flat=True)[others_bottom:others_top]
        return page_ids


class DirectoryPagination(CountedPagination):
    """The directory's API pages: page numbers, the size up to the client (at most 100)."""

    paginator_class = DirectoryPaginator
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100

    def counted_rows(self, request) -> int | None:
        return directory_counted_rows(request.query_params.get("q", ""))

    def get_paginated_response_schema(self, schema):
        answer = super().get_paginated_response_schema(schema)
        answer["properties"]["count"]["description"] += (
            f" A text search (`q`) counts up to {SEARCH_COUNTED_ROWS:,}."
        )
        return answer
