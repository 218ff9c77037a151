"""Lists are cut into pages: a page number past the end shows the last page.

A long list is counted only so far. Counting every row a person may see costs as much as
reading them all (an office sees a quarter of a million requests, a network's directory
lists a hundred thousand firms), on every page, for a figure nobody needs exactly: past
COUNTED_ROWS a list says it has "more than" so many rows and pages, and its pages still
lead on one after the other. The pages and the API of every app count this way; it lives
here, in the bottom layer (core), so that each of them can.
"""

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

# How many rows a list counts at most (beyond the page shown): 500 pages of 20.
COUNTED_ROWS = 10_000
# A larger page number counts the whole list (and shows its last page): the limit stays
# a number PostgreSQL takes.
MAX_PAGE_NUMBER = 1_000_000


class CountingPaginator(Paginator):
    """A paginator that stops counting after `count_limit` rows (None: counts them all).

    `count` is then the limit, and `count_is_exact` says whether there are more.
    """

    def __init__(self, object_list: QuerySet, per_page: int, *, count_limit: int | None):
        super().__init__(object_list, per_page)
        self.count_limit = count_limit

    @cached_property
    def counted(self) -> int:
        # Any rows will do for counting: no sort, and none of the values shown per row.
        rows = self.object_list.order_by().values("pk")
        if self.count_limit is None:
            return rows.count()
        return rows[: self.count_limit + 1].count()

    @cached_property
    def count(self) -> int:
        if self.count_limit is None:
            return self.counted
        return min(self.counted, self.count_limit)

    @property
    def count_is_exact(self) -> bool:
        return self.count_limit is None or self.counted <= self.count_limit


def count_limit_for(page_number, per_page: int, *, counted_rows: int | None = None) -> int:
    """Return how far to count for a page: COUNTED_ROWS (or the list's own `counted_rows`),
    and always past the page itself.

    Deeper pages count further (one page past the one shown), which costs no more than
    reading the page does: both go through the rows before it.
    """
    try:
        number = int(page_number)
    except (TypeError, ValueError):
        number = 1
    rows = COUNTED_ROWS if counted_rows is None else counted_rows
    return max(rows, per_page * (min(max(number, 1), MAX_PAGE_NUMBER) + 1))


def page_of(
    request,
    items: QuerySet,
    *,
    per_page: int,
    paginator_class: type[CountingPaginator] = CountingPaginator,
    counted_rows: int | None = None,
) -> Page:
    """Return the requested page of `items` (the first page for a page number that is not one)."""
    number = request.GET.get("page")
    limit = count_limit_for(number, per_page, counted_rows=counted_rows)
    return paginator_class(items, per_page, count_limit=limit).get_page(number)


class CountedPagination(PageNumberPagination):
    """DRF's page numbers, with a count that stops after COUNTED_ROWS rows.

    `count` is exact while `count_is_exact` is true; otherwise there are more than
    `count` rows, and `next` still leads on. `?page=last` counts them all, to find it.
    """

    paginator_class = CountingPaginator

    def counted_rows(self, request) -> int | None:
        """Return how far this list counts for the request (None: COUNTED_ROWS)."""
        return None

    def paginate_queryset(self, queryset, request, view=None):
        page_number = request.query_params.get(self.page_query_param)
        page_size = self.get_page_size(request)
        if page_size and page_number not in self.last_page_strings:
            self.count_limit = count_limit_for(
                page_number, page_size, counted_rows=self.counted_rows(request)
            )
        else:
            self.count_limit = None
        return super().paginate_queryset(queryset, request, view)

    def django_paginator_class(self, object_list, per_page):
        return self.paginator_class(object_list, per_page, count_limit=self.count_limit)

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "count_is_exact": self.page.paginator.count_is_exact,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        answer = super().get_paginated_response_schema(schema)
        answer["properties"]["count"]["description"] = (
            f"How many there are, counted up to {COUNTED_ROWS:,} (or a page past the one "
            "asked for, if further)."
        )
        answer["properties"]["count_is_exact"] = {
            "type": "boolean",
            "description": "False when there are more than `count`.",
        }
        answer["required"] = [*answer.get("required", []), "count_is_exact"]
        return answer


def paginated(view, queryset, serializer_class, **context) -> Response:
    """Answer one page of `queryset` in the view's pagination, serialized with `context`."""
    page = view.paginate_queryset(queryset)
    serializer = serializer_class(
        page, many=True, context={**view.get_serializer_context(), **context}
    )
    return view.get_paginated_response(serializer.data)
