"""Follow-on requests: a new request that follows an order, submitted and routed like any other.

Served under /api/orders/ beside the order's own steps.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from brokerage.api.serializers import FollowOnCreatedSerializer, FollowOnSerializer
from brokerage.services.follow_on import order_follow_on_request
from brokerage.services.intake import RequirementInput, RFQInput
from core.idempotency import idempotency_key
from orders.api.views import OrderScopedViewSet


@extend_schema(tags=["orders"])
class OrderFollowOnViewSet(OrderScopedViewSet):
    """Follow-on requests of an order."""

    @extend_schema(
        request=FollowOnSerializer,
        responses={201: FollowOnCreatedSerializer},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="Any unique string per request (up to 64 characters): retrying "
                "with the same key returns the first follow-on request instead of a new one.",
            )
        ],
    )
    @action(detail=True, methods=["post"], url_path="follow-on")
    def follow_on(self, request, pk=None):
        """Ask for a follow-on order (e.g. mass production after the prototype)."""
        order = self.get_object()
        form = FollowOnSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        requirements = tuple(
            RequirementInput(
                capability_code=item["capability"],
                min_grade=item["min_grade"],
                note=item.get("note", ""),
            )
            for item in data.pop("requirements")
        )
        rfq = order_follow_on_request(
            order_id=order.pk,
            user=request.user,
            data=RFQInput(requirements=requirements, **data),
            idempotency_key=idempotency_key(request),
        )
        return Response(
            {
                "rfq": rfq.pk,
                "status": rfq.status,
                "follow_on_of": order.pk,
                "estimate_due_at": rfq.estimate_due_at,
            },
            status=status.HTTP_201_CREATED,
        )
