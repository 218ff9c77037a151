from django.urls import path
from rest_framework.routers import SimpleRouter

from members.api import (
    MembershipChangeListView,
    MembershipDetailView,
    MembershipListView,
    NdaView,
    NetworkViewSet,
)

router = SimpleRouter()
router.register("networks", NetworkViewSet, basename="network")

urlpatterns = [
    path(
        "networks/<slug:slug>/memberships/",
        MembershipListView.as_view(),
        name="network-membership-list",
    ),
    path(
        "networks/<slug:slug>/memberships/<int:membership_id>/",
        MembershipDetailView.as_view(),
        name="network-membership-detail",
    ),
    path(
        "networks/<slug:slug>/membership-changes/",
        MembershipChangeListView.as_view(),
        name="network-membership-change-list",
    ),
    path("networks/<slug:slug>/nda/", NdaView.as_view(), name="network-nda"),
    *router.urls,
]
