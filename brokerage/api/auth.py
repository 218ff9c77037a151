"""Token authentication for API clients: POST a username and password, get a token."""

from drf_spectacular.utils import extend_schema
from rest_framework.authtoken.views import ObtainAuthToken

from brokerage.throttles import TokenThrottle
from core.parsers import FormParser, JSONParser, MultiPartParser


@extend_schema(tags=["auth"], summary="Exchange a username and password for an API token")
class TokenView(ObtainAuthToken):
    """Exchange a username and password for the user's API token.

    Limited per address, and guarded by the same lockout as the login page: after
    repeated failures for a username the endpoint answers 429 until the cool-off ends.
    """

    throttle_classes = [TokenThrottle]
    parser_classes = [FormParser, MultiPartParser, JSONParser]

    def get_serializer_context(self):
        # Axes marks a lockout on the request it is given; the plain Django request is
        # the one its middleware reads to answer 429 (a DRF Request would hide the mark).
        return {**super().get_serializer_context(), "request": self.request._request}
