"""The networks API: what each network is and which policy its requests follow."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.permissions import AllowAny

from members.models import Network
from members.selectors import network_list_public


class NetworkSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Network
        fields = [
            "id",
            "slug",
            "name",
            "name_ja",
            "name_en",
            "region",
            "policy",
            "estimate_window_minutes",
            "member_response_minutes",
            "use_business_hours",
            "time_zone",
            "nda_required",
            "member_count",
        ]


@extend_schema(tags=["networks"])
class NetworkViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = NetworkSerializer
    permission_classes = [AllowAny]
    lookup_field = "slug"

    def get_queryset(self):
        return network_list_public().order_by("slug")
