"""Team suggestions for an order: what the project leader or the office forms the team from.

Brokering, not the order's record: the suggestions read the estimate, the members' answers
and the matching engine (brokerage.team_suggestions). Served under /api/orders/ beside the
order's own steps.
"""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from brokerage.api.serializers import TeamSuggestionsSerializer
from brokerage.team_suggestions import team_suggestions
from core.access import OFFICE_ROLES
from core.errors import NotAllowed
from orders.api.views import OrderScopedViewSet


@extend_schema(tags=["orders"])
class OrderTeamFormingViewSet(OrderScopedViewSet):
    """Suggestions for forming an order's team."""

    @extend_schema(responses=TeamSuggestionsSerializer)
    @action(detail=True, methods=["get"], url_path="team/suggestions")
    def team_suggestions(self, request, pk=None):
        """Suggest a team from the estimate, the members' answers and the matching engine."""
        order = self.get_object()
        if self.role(order) not in (*OFFICE_ROLES, "leader"):
            raise NotAllowed("The project leader or the office assembles the team.")
        return Response(TeamSuggestionsSerializer(team_suggestions(order)).data)
