from django.urls import path
from rest_framework.routers import SimpleRouter

from members.api import (
    ClosingDayDetailView,
    ClosingDayListView,
    FirmMembershipAcceptView,
    FirmMembershipDeclineView,
    FirmMembershipListView,
    MembershipApproveView,
    MembershipChangeListView,
    MembershipDetailView,
    MembershipListView,
    MembershipOfficeDeclineView,
    NdaView,
    NetworkApplicationView,
    NetworkViewSet,
    NotificationPreferencesView,
    NotificationReadAllView,
    NotificationReadView,
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
    path(
        "networks/<slug:slug>/memberships/<int:membership_id>/approve/",
        MembershipApproveView.as_view(),
        name="network-membership-approve",
    ),
    path(
        "networks/<slug:slug>/memberships/<int:membership_id>/decline/",
        MembershipOfficeDeclineView.as_view(),
        name="network-membership-decline",
    ),
    path(
        "networks/<slug:slug>/applications/",
        NetworkApplicationView.as_view(),
        name="network-application",
    ),
    path("firm-memberships/", FirmMembershipListView.as_view(), name="firm-membership-list"),
    path(
        "firm-memberships/<int:membership_id>/accept/",
        FirmMembershipAcceptView.as_view(),
        name="firm-membership-accept",
    ),
    path(
        "firm-memberships/<int:membership_id>/decline/",
        FirmMembershipDeclineView.as_view(),
        name="firm-membership-decline",
    ),
    path("networks/<slug:slug>/nda/", NdaView.as_view(), name="network-nda"),
    path(
        "networks/<slug:slug>/closing-days/",
        ClosingDayListView.as_view(),
        name="network-closing-day-list",
    ),
    path(
        "networks/<slug:slug>/closing-days/<int:closing_day_id>/",
        ClosingDayDetailView.as_view(),
        name="network-closing-day-detail",
    ),
    path(
        "me/notification-preferences/",
        NotificationPreferencesView.as_view(),
        name="notification-preferences",
    ),
    path(
        "notifications/<int:notification_id>/read/",
        NotificationReadView.as_view(),
        name="notification-read",
    ),
    path(
        "notifications/read-all/", NotificationReadAllView.as_view(), name="notification-read-all"
    ),
    *router.urls,
]
