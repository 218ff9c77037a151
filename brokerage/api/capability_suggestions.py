"""Capability suggestions for a request's text, as the request form's Suggest button makes."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from brokerage.capability_suggestions import request_text, suggestions_for_network
from brokerage.page_selectors import capability_taxonomy
from brokerage.throttles import SuggestionThrottle
from core.parsers import FormParser, JSONParser, MultiPartParser
from members.selectors import network_list_public


class SuggestionTextSerializer(serializers.Serializer):
    # The bounds of a request's own fields (RFQCreateSerializer): the text to come.
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    description = serializers.CharField(
        max_length=20_000, required=False, allow_blank=True, default=""
    )
    material = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class CapabilitySuggestionSerializer(serializers.Serializer):
    capability = serializers.CharField(help_text="The capability's code.")
    name = serializers.CharField(help_text="The capability's name in the caller's language.")
    score = serializers.FloatField(
        help_text="How sure the suggestion is, 0 to 1: 1 when the taxonomy's words name it "
        "and the network's office kept it; otherwise the share of the network's past "
        "requests with the same words that needed it."
    )


class CapabilitySuggestionsView(APIView):
    """Suggest the capabilities a request's text asks for, surest first.

    Read from the text's words (Japanese split by a dictionary, English by words, never
    pieces of words) and from what the network's office chose for past requests worded
    alike. Only the most specific of a branch is given (milling, not also machining).
    Nothing is stored.
    """

    permission_classes = [AllowAny]
    throttle_classes = [SuggestionThrottle]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        tags=["networks"],
        summary="Suggest capabilities for a request's title and description",
        request=SuggestionTextSerializer,
        responses=CapabilitySuggestionSerializer(many=True),
    )
    def post(self, request, slug: str):
        network = get_object_or_404(network_list_public(), slug=slug)
        form = SuggestionTextSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        capabilities = capability_taxonomy()
        names = {capability.code: capability.name for capability in capabilities}
        text = request_text(*form.validated_data.values())
        suggestions = suggestions_for_network(network.pk, text, capabilities)
        return Response(
            CapabilitySuggestionSerializer(
                [
                    {"capability": s.code, "name": names[s.code], "score": s.score}
                    for s in suggestions
                ],
                many=True,
            ).data
        )
