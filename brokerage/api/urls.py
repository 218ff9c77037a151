"""Everything under /api/: each app's endpoints, plus token authentication."""

from django.urls import include, path

from brokerage.api.auth import TokenView

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("", include("members.api_urls")),
    path("", include("capabilities.api_urls")),
    path("", include("brokerage.api.workflow_urls")),
    path("", include("orders.api.urls")),
    path("", include("brokerage.api.analytics_urls")),
]
