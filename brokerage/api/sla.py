"""The estimate clock's record for a network's office: windows kept, answers given."""

import datetime

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from brokerage.sla import member_sla, network_sla
from core import access
from core.bounds import BoundedDateTimeField
from core.errors import NotAllowed
from members.models import Network


class PeriodSerializer(serializers.Serializer):
    since = BoundedDateTimeField(required=False)
    until = BoundedDateTimeField(required=False)

    def validate(self, attrs):
        until = attrs.get("until") or timezone.now()
        since = attrs.get("since") or until - datetime.timedelta(days=365)
        if since >= until:
            raise serializers.ValidationError(
                {"since": gettext("The period must start before it ends.")}
            )
        return {"since": since, "until": until}


class MemberSlaSerializer(serializers.Serializer):
    firm = serializers.IntegerField(source="firm_id")
    firm_name = serializers.CharField()
    invited = serializers.IntegerField()
    answered = serializers.IntegerField()
    no_response = serializers.IntegerField()
    response_rate = serializers.FloatField(allow_null=True)
    median_minutes_to_answer = serializers.FloatField(allow_null=True)


class StageSlaSerializer(serializers.Serializer):
    stage = serializers.CharField(help_text="interview, planning or estimate")
    due_by = serializers.CharField(help_text="Who keeps the promise: office, members or leader.")
    started = serializers.IntegerField(help_text="Requests that reached the stage.")
    kept = serializers.IntegerField(help_text="Promises kept by their due time.")
    breached = serializers.IntegerField(help_text="Promises kept late, or due and not kept.")
    share_kept = serializers.FloatField(allow_null=True)
    median_minutes = serializers.FloatField(
        allow_null=True, help_text="From the stage's start to its promise kept."
    )


class NetworkSlaSerializer(serializers.Serializer):
    since = BoundedDateTimeField()
    until = BoundedDateTimeField()
    requests = serializers.IntegerField()
    estimated = serializers.IntegerField()
    estimated_in_window = serializers.IntegerField()
    share_in_window = serializers.FloatField(allow_null=True)
    breached = serializers.IntegerField()
    median_minutes_to_estimate = serializers.FloatField(allow_null=True)
    stages = StageSlaSerializer(
        many=True, help_text="Each promise of the network's policy, in order (Rodan21: three)."
    )
    members = MemberSlaSerializer(many=True)


class NetworkSlaView(APIView):
    """The share of requests estimated within the window, and each member's answers."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["networks"],
        summary="Read how often a network estimated within its window, and its members' answers",
        parameters=[
            OpenApiParameter("since", datetime.datetime, description="Default: a year ago."),
            OpenApiParameter("until", datetime.datetime, description="Default: now."),
        ],
        responses=NetworkSlaSerializer,
    )
    def get(self, request, slug: str):
        network = get_object_or_404(Network, slug=slug)
        if not access.runs_network(request.user, network):
            raise NotAllowed("Only the network's office sees its record.")
        period = PeriodSerializer(data=request.query_params)
        period.is_valid(raise_exception=True)
        since, until = period.validated_data["since"], period.validated_data["until"]
        record = network_sla(network, since=since, until=until)
        return Response(
            NetworkSlaSerializer(
                {
                    "since": since,
                    "until": until,
                    "requests": record.requests,
                    "estimated": record.estimated,
                    "estimated_in_window": record.estimated_in_window,
                    "share_in_window": record.share_in_window,
                    "breached": record.breached,
                    "median_minutes_to_estimate": record.median_minutes_to_estimate,
                    "stages": record.stages,
                    "members": member_sla(network, since=since, until=until),
                }
            ).data
        )
