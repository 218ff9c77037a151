from django.urls import include, path
from rest_framework.routers import DefaultRouter

from brokerage.api.auth import TokenView
from members.api import NetworkViewSet

router = DefaultRouter()
router.register("networks", NetworkViewSet, basename="network")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("", include(router.urls)),
]
