"""The capabilities app's endpoints under /api/ (see capabilities.api)."""

from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from capabilities import api

router = SimpleRouter()
router.register("capabilities", api.CapabilityViewSet, basename="capability")
router.register("firms", api.FirmViewSet, basename="firm")

urlpatterns = [
    path(
        "firms/<int:firm_id>/capabilities/",
        api.FirmCapabilityListView.as_view(),
        name="firm-capability-list",
    ),
    re_path(
        rf"^firms/(?P<firm_id>[0-9]+)/capabilities/(?P<code>{api.CODE_PATTERN})/$",
        api.FirmCapabilityDetailView.as_view(),
        name="firm-capability-detail",
    ),
    path(
        "firms/<int:firm_id>/capability-changes/",
        api.FirmCapabilityChangeListView.as_view(),
        name="firm-capability-change-list",
    ),
    path("firms/<int:firm_id>/contacts/", api.FirmContactView.as_view(), name="firm-contacts"),
    path(
        "networks/<slug:slug>/directory-contacts/",
        api.NetworkContactListView.as_view(),
        name="network-directory-contacts",
    ),
    path("networks/<slug:slug>/match/", api.NetworkMatchView.as_view(), name="network-match"),
    *router.urls,
]
