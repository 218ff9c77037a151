from rest_framework.routers import SimpleRouter

from members.api import NetworkViewSet

router = SimpleRouter()
router.register("networks", NetworkViewSet, basename="network")

urlpatterns = router.urls
