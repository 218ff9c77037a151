from django.urls import path

from brokerage.api.analytics import NetworkAnalyticsView, NetworksOverviewView

urlpatterns = [
    path(
        "networks/<slug:slug>/analytics/",
        NetworkAnalyticsView.as_view(),
        name="network-analytics",
    ),
    path("analytics/networks/", NetworksOverviewView.as_view(), name="networks-analytics"),
]
