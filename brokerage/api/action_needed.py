"""What waits on the caller as a customer: the same list the customer's request list opens with."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from brokerage.selectors import action_needed_for_customer
from orders.selectors import ActionNeeded


class ActionNeededSerializer(serializers.Serializer):
    """One thing that waits on the customer (an answer only: nothing is written through it)."""

    kind = serializers.ChoiceField(
        choices=ActionNeeded.KINDS,
        help_text="estimate: accept or decline it; proposals: choose one group's; delivery: "
        "confirm receipt; invoice: pay it.",
    )
    what = serializers.CharField(help_text="What to do, in the reader's language.")
    link = serializers.CharField(help_text="The page (a path on this site) where it is done.")
    title = serializers.CharField(help_text="The request's title.")
    network = serializers.CharField(help_text="The network's name.")
    detail = serializers.CharField(
        help_text="What within the request: the estimate's version, the number of proposals, "
        "the delivery's description or the invoice's number."
    )
    rfq = serializers.IntegerField(source="rfq_id")
    order = serializers.IntegerField(source="order_id", allow_null=True)
    subject = serializers.IntegerField(
        source="subject_id",
        help_text="The id of the estimate, request, delivery or invoice (as `kind` says).",
    )
    amount = serializers.IntegerField(
        allow_null=True,
        help_text="Tax included, in minor units: the estimate's total, or what is still owed "
        "on the invoice.",
    )
    currency = serializers.CharField()
    due_on = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="The estimate's last valid day, or the invoice's due date.",
    )
    since = serializers.DateTimeField(read_only=True, help_text="Since when it has waited.")


class ActionNeededListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = ActionNeededSerializer(many=True)


class ActionNeededView(APIView):
    """Everything that waits on the caller as a customer, the soonest due first."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["requests"],
        summary="List what waits on the caller: estimates, proposals, deliveries, invoices",
        responses=ActionNeededListSerializer,
    )
    def get(self, request):
        actions = action_needed_for_customer(request.user)
        return Response(
            ActionNeededListSerializer({"count": len(actions), "results": actions}).data
        )
