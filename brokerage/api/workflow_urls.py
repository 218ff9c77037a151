from django.urls import path
from rest_framework.routers import SimpleRouter

from brokerage.api.sla import NetworkSlaView
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

urlpatterns = [
    path("networks/<slug:slug>/sla/", NetworkSlaView.as_view(), name="network-sla"),
    *router.urls,
]
