from django.urls import path

from brokerage.api.analytics import NetworkAnalyticsView, NetworksOverviewView, OwnFiguresView

urlpatterns = [
    path(
        "networks/<slug:slug>/analytics/",
        NetworkAnalyticsView.as_view(),
        name="network-analytics",
    ),
    path("networks/<slug:slug>/my-figures/", OwnFiguresView.as_view(), name="own-figures"),
    path("analytics/networks/", NetworksOverviewView.as_view(), name="networks-analytics"),
]
