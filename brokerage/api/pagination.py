"""Page numbers for long API lists, counted only so far (see brokerage.pages.pagination)."""

from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from brokerage.pages.pagination import COUNTED_ROWS, CountingPaginator, count_limit_for


class CountedPagination(PageNumberPagination):
    """DRF's page numbers, with a count that stops after COUNTED_ROWS rows.

    `count` is exact while `count_is_exact` is true; otherwise there are more than
    `count` rows, and `next` still leads on. `?page=last` counts them all, to find it.
    """

    def paginate_queryset(self, queryset, request, view=None):
        page_number = request.query_params.get(self.page_query_param)
        page_size = self.get_page_size(request)
        if page_size and page_number not in self.last_page_strings:
            self.count_limit = count_limit_for(page_number, page_size)
        else:
            self.count_limit = None
        return super().paginate_queryset(queryset, request, view)

    def django_paginator_class(self, object_list, per_page):
        return CountingPaginator(object_list, per_page, count_limit=self.count_limit)

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
