"""Pagination of the public directory, which runs to a hundred thousand firms."""

from django.core.paginator import Page

from members.pagination import CountedPagination, CountingPaginator


class DirectoryPaginator(CountingPaginator):
    """Find a page's firms by id first, then read those rows alone (a deferred join).

    A deep page skips tens of thousands of firms: selecting only their ids lets PostgreSQL
    walk the name index alone (members' firm_directory_*_idx) instead of reading, or
    sorting, every skipped firm whole. The page's rows then come by primary key, in the
    list's own order and with its annotations and prefetches: one query more per page,
    whatever its size. The firms are counted only so far, as every long list is.
    """

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        page_ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        return self._get_page(self.object_list.filter(pk__in=page_ids), number, self)


class DirectoryPagination(CountedPagination):
    """The directory's API pages: page numbers, the size up to the client (at most 100)."""

    paginator_class = DirectoryPaginator
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100
