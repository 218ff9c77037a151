"""Lists are cut into pages: a page number past the end shows the last page.

A long list is counted only so far. Counting every row a person may see costs as much as
reading them all (an office sees a quarter of a million requests), on every page, for a
figure nobody needs exactly: past COUNTED_ROWS a list says it has "more than" so many
pages, and its pages still lead on one after the other.
"""

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

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


def count_limit_for(page_number, per_page: int) -> int:
    """Return how far to count for a page: COUNTED_ROWS, and always past the page itself.

    Deeper pages count further (one page past the one shown), which costs no more than
    reading the page does: both go through the rows before it.
    """
    try:
        number = int(page_number)
    except (TypeError, ValueError):
        number = 1
    return max(COUNTED_ROWS, per_page * (min(max(number, 1), MAX_PAGE_NUMBER) + 1))


def page_of(request, items: QuerySet, *, per_page: int) -> Page:
    """Return the requested page of `items` (the first page for a page number that is not one)."""
    number = request.GET.get("page")
    limit = count_limit_for(number, per_page)
    return CountingPaginator(items, per_page, count_limit=limit).get_page(number)
