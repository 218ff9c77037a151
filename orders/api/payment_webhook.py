"""The card provider's webhook: it tells us what became of a charge whose answer was lost."""

import json
import time

from django.conf import settings
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from orders.payment_providers import webhook_signature_valid
from orders.services.card_payments import payment_attempt_settle_from_provider

SIGNATURE_HEADER = "X-Payment-Signature"


class ChargeEventSerializer(serializers.Serializer):
    idempotency_key = serializers.CharField(max_length=64)
    status = serializers.ChoiceField(choices=["succeeded", "failed"])
    id = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    failure_message = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )


class ChargeSettledSerializer(serializers.Serializer):
    status = serializers.CharField()


@extend_schema(tags=["payments"])
class PaymentWebhookView(APIView):
    """Settle a card payment attempt from the provider's signed message."""

    # The provider has no account here: the HMAC signature is its credential.
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="payment_webhook",
        summary="Settle a card charge from the provider's signed webhook",
        request=ChargeEventSerializer,
        parameters=[
            OpenApiParameter(
                SIGNATURE_HEADER,
                str,
                OpenApiParameter.HEADER,
                required=True,
                description='`t=<unix time>,v1=<hex HMAC-SHA256 of "<t>." + body>` with the '
                "shared PAYMENT_WEBHOOK_SECRET; older than five minutes is refused.",
            )
        ],
        responses={
            200: ChargeSettledSerializer,
            400: OpenApiResponse(description="The body is not a charge event."),
            403: OpenApiResponse(description="The signature is missing, wrong or too old."),
            404: OpenApiResponse(description="No payment attempt has this idempotency key."),
        },
    )
    def post(self, request):
        body = request.body
        if not webhook_signature_valid(
            body=body,
            header=request.headers.get(SIGNATURE_HEADER, ""),
            secret=settings.PAYMENT_WEBHOOK_SECRET,
            now=time.time(),
        ):
            raise PermissionDenied(gettext("The webhook's signature is missing or not valid."))
        try:
            data = json.loads(body or b"null")
        except ValueError as error:
            raise ValidationError(gettext("The body is not JSON.")) from error
        event = ChargeEventSerializer(data=data)
        event.is_valid(raise_exception=True)
        attempt = payment_attempt_settle_from_provider(
            idempotency_key=event.validated_data["idempotency_key"],
            succeeded=event.validated_data["status"] == "succeeded",
            reference=event.validated_data["id"],
            failure=event.validated_data["failure_message"],
        )
        if attempt is None:
            return Response({"detail": gettext("No payment attempt has this key.")}, status=404)
        return Response({"status": attempt.status})
