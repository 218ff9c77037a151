"""A network's analytics for its office and for platform staff, and the networks side by side.

The figures are `brokerage.analytics.network.NetworkAnalytics`; the `brokerage.analytics`
package says what each one counts over the period `since` to `until` (default: the last
twelve months).
"""

import datetime

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from brokerage.analytics.network import network_analytics
from brokerage.analytics.overview import networks_overview
from brokerage.analytics.readers import analytics_networks_for_user
from brokerage.api.sla import PeriodSerializer
from core import access
from core.bounds import BoundedDateField, BoundedDateTimeField
from core.errors import NotAllowed
from members.models import Network

PERIOD_PARAMETERS = [
    OpenApiParameter(
        "since", datetime.datetime, description="Start of the period (default: a year ago)."
    ),
    OpenApiParameter("until", datetime.datetime, description="End, excluded (default: now)."),
]


class NetworkRefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    policy = serializers.CharField()


class BucketSerializer(serializers.Serializer):
    label = serializers.CharField()
    low = serializers.IntegerField(help_text="Lower bound, included.")
    high = serializers.IntegerField(allow_null=True, help_text="Upper bound, excluded; null: none.")
    count = serializers.IntegerField()


class StatusCountSerializer(serializers.Serializer):
    status = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class MonthSerializer(serializers.Serializer):
    month = BoundedDateField(help_text="First day of the month, in the network's zone.")
    requests = serializers.IntegerField()
    orders = serializers.IntegerField(help_text="Signed contracts from the month's requests.")
    order_value = serializers.IntegerField(help_text="Their totals, tax included (yen).")
    paid = serializers.IntegerField(help_text="Payments received in the month (yen).")
    to_members = serializers.IntegerField(help_text="Allocated to member firms (yen).")
    directory_contacts = serializers.IntegerField()


class EstimateTimesSerializer(serializers.Serializer):
    window_minutes = serializers.IntegerField()
    estimated = serializers.IntegerField()
    in_window = serializers.IntegerField()
    share_in_window = serializers.FloatField(allow_null=True)
    breached = serializers.IntegerField()
    median_minutes = serializers.FloatField(allow_null=True)
    histogram = BucketSerializer(many=True, help_text="Minutes from submission to estimate.")


class OrderValuesSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    total = serializers.IntegerField()
    minimum = serializers.IntegerField(allow_null=True)
    median = serializers.IntegerField(allow_null=True)
    maximum = serializers.IntegerField(allow_null=True)
    histogram = BucketSerializer(many=True, help_text="Order totals in yen.")


class FollowOnsSerializer(serializers.Serializer):
    prototype_orders = serializers.IntegerField()
    prototype_orders_followed = serializers.IntegerField()
    follow_on_requests = serializers.IntegerField()
    follow_on_orders = serializers.IntegerField()
    follow_on_value = serializers.IntegerField()


class RevenueSerializer(serializers.Serializer):
    payments = serializers.IntegerField()
    paid = serializers.IntegerField()
    refunded = serializers.IntegerField()
    office_fees = serializers.IntegerField()
    to_members = serializers.IntegerField()
    paid_out = serializers.IntegerField()
    payout_batches = serializers.IntegerField()
    owed_to_members = serializers.IntegerField(help_text="Owed to members now.")


class MemberFiguresSerializer(serializers.Serializer):
    firm = serializers.IntegerField(source="firm_id")
    firm_name = serializers.CharField()
    role = serializers.CharField()
    invited = serializers.IntegerField()
    answered = serializers.IntegerField()
    no_response = serializers.IntegerField()
    response_rate = serializers.FloatField(allow_null=True)
    median_minutes_to_answer = serializers.FloatField(allow_null=True)
    orders_led = serializers.IntegerField()
    earned = serializers.IntegerField()
    delivered_packages = serializers.IntegerField(
        help_text="Work packages finished in the period that had a planned finish date."
    )
    on_time_rate = serializers.FloatField(
        allow_null=True, help_text="Of those, the share finished by their planned date."
    )
    rated_orders = serializers.IntegerField(help_text="The firm's orders rated in the period.")
    average_rating = serializers.FloatField(allow_null=True, help_text="Their average, 1 to 5.")


class SkillSerializer(serializers.Serializer):
    firm = serializers.IntegerField(source="firm_id")
    firm_name = serializers.CharField()
    capability = serializers.CharField(source="capability_code")
    capability_name = serializers.CharField()
    action = serializers.CharField()
    grade_before = serializers.IntegerField(allow_null=True)
    grade_after = serializers.IntegerField(allow_null=True)
    order = serializers.IntegerField(source="order_id")
    at = BoundedDateTimeField()


class FirmCountSerializer(serializers.Serializer):
    firm = serializers.IntegerField(source="firm_id")
    firm_name = serializers.CharField()
    count = serializers.IntegerField()


class GroupSerializer(serializers.Serializer):
    group = serializers.IntegerField(source="group_id")
    name = serializers.CharField()
    coordinator = serializers.IntegerField(source="coordinator_id")
    asked = serializers.IntegerField()
    proposed = serializers.IntegerField()
    wins = serializers.IntegerField()
    win_share = serializers.FloatField(allow_null=True)
    won_value = serializers.IntegerField()


class PhaseSerializer(serializers.Serializer):
    phase = serializers.CharField()
    label = serializers.CharField()
    requests = serializers.IntegerField()
    orders = serializers.IntegerField()


class NetworkAnalyticsSerializer(serializers.Serializer):
    network = NetworkRefSerializer()
    since = BoundedDateTimeField()
    until = BoundedDateTimeField()
    requests = serializers.IntegerField()
    orders = serializers.IntegerField(help_text="Signed contracts from the period's requests.")
    conversion = serializers.FloatField(allow_null=True)
    statuses = StatusCountSerializer(many=True)
    months = MonthSerializer(many=True)
    estimate_times = EstimateTimesSerializer()
    order_values = OrderValuesSerializer()
    follow_ons = FollowOnsSerializer()
    revenue = RevenueSerializer()
    members = MemberFiguresSerializer(many=True)
    skills = SkillSerializer(many=True)
    directory_contacts = serializers.IntegerField(
        help_text="Customers who wrote to a member directly from the network's directory."
    )
    directory_firms = FirmCountSerializer(many=True)
    groups = GroupSerializer(many=True, help_text="Competing coordinator groups only.")
    phases = PhaseSerializer(many=True, help_text="Consultation networks only.")
    commercialized = serializers.IntegerField(
        allow_null=True,
        help_text="Orders with a production or commercialization phase (consultation only).",
    )


class NetworkOverviewSerializer(serializers.Serializer):
    network = NetworkRefSerializer()
    requests = serializers.IntegerField()
    orders = serializers.IntegerField()
    conversion = serializers.FloatField(allow_null=True)
    order_value = serializers.IntegerField()
    paid = serializers.IntegerField()
    to_members = serializers.IntegerField()
    directory_contacts = serializers.IntegerField()


def period_of(request) -> tuple[datetime.datetime, datetime.datetime]:
    period = PeriodSerializer(data=request.query_params)
    period.is_valid(raise_exception=True)
    return period.validated_data["since"], period.validated_data["until"]


class NetworkAnalyticsView(APIView):
    """A network's figures for a period: requests, contracts, the clock, money, members."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["networks"],
        summary="Read a network's figures for a period",
        parameters=PERIOD_PARAMETERS,
        responses=NetworkAnalyticsSerializer,
    )
    def get(self, request, slug: str):
        network = get_object_or_404(Network, slug=slug)
        if not analytics_networks_for_user(request.user).filter(pk=network.pk).exists():
            raise NotAllowed("Only the network's office (or platform staff) sees its analytics.")
        since, until = period_of(request)
        figures = network_analytics(network, since=since, until=until)
        return Response(NetworkAnalyticsSerializer(figures).data)


class OwnFiguresSerializer(MemberFiguresSerializer):
    since = BoundedDateTimeField()
    until = BoundedDateTimeField()


class OwnFiguresView(APIView):
    """A member firm's own figures in one of its networks: only its own, never the others'."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["networks"],
        summary="Read your firm's own figures in a network: answers, work, delivery, rating",
        description=(
            "For the people of a member firm (not the office, which reads the whole "
            "network's analytics): its response rate and time to answer, the orders it "
            "led, what it earned, its on-time delivery rate and its customers' rating."
        ),
        parameters=PERIOD_PARAMETERS,
        responses=OwnFiguresSerializer,
    )
    def get(self, request, slug: str):
        network = get_object_or_404(Network, slug=slug)
        membership = access.membership_of(request.user, network)
        if membership is None or membership.role == access.OFFICE:
            raise NotAllowed("Only a member firm of the network reads its own figures here.")
        since, until = period_of(request)
        figures = network_analytics(network, since=since, until=until)
        own = next(member for member in figures.members if member.firm_id == membership.firm_id)
        return Response(OwnFiguresSerializer({**vars(own), "since": since, "until": until}).data)


class NetworksOverviewView(APIView):
    """The headline figures of every network the person may read, side by side."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["networks"],
        summary="Compare the headline figures of the networks the caller may read",
        parameters=PERIOD_PARAMETERS,
        responses=NetworkOverviewSerializer(many=True),
    )
    def get(self, request):
        networks = analytics_networks_for_user(request.user)
        if not networks.exists():
            raise NotAllowed("Analytics are for network offices and platform staff.")
        since, until = period_of(request)
        rows = networks_overview(networks, since=since, until=until)
        return Response(NetworkOverviewSerializer(rows, many=True).data)
