from django.urls import path
from rest_framework.routers import SimpleRouter

from brokerage.api.action_needed import ActionNeededView
from brokerage.api.capability_suggestions import CapabilitySuggestionsView
from brokerage.api.follow_on import OrderFollowOnViewSet
from brokerage.api.sla import NetworkSlaView
from brokerage.api.team_forming import OrderTeamFormingViewSet
from brokerage.api.workflow import (
    EstimateViewSet,
    InvitationViewSet,
    NotificationViewSet,
    ProposalViewSet,
    RFQViewSet,
)

router = SimpleRouter()
router.register("rfqs", RFQViewSet, basename="rfq")
router.register("invitations", InvitationViewSet, basename="invitation")
router.register("estimates", EstimateViewSet, basename="estimate")
router.register("proposals", ProposalViewSet, basename="proposal")
router.register("notifications", NotificationViewSet, basename="notification")

# The brokering steps on an order share the order's prefix and basename (so their names
# read order-team-suggestions, order-follow-on); a router takes each basename once.
team_forming_router = SimpleRouter()
team_forming_router.register("orders", OrderTeamFormingViewSet, basename="order")
follow_on_router = SimpleRouter()
follow_on_router.register("orders", OrderFollowOnViewSet, basename="order")

urlpatterns = [
    path("me/action-needed/", ActionNeededView.as_view(), name="action-needed"),
    path("networks/<slug:slug>/sla/", NetworkSlaView.as_view(), name="network-sla"),
    path(
        "networks/<slug:slug>/capability-suggestions/",
        CapabilitySuggestionsView.as_view(),
        name="network-capability-suggestions",
    ),
    *router.urls,
    *team_forming_router.urls,
    *follow_on_router.urls,
]
