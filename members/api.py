"""The networks API: what each network is and which policy its requests follow."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import generics, serializers, status, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core import access
from core.bounds import BoundedDateField, BoundedDateTimeField
from members.models import (
    Firm,
    Membership,
    MembershipChange,
    Network,
    NetworkClosingDay,
    NetworkGroup,
    NotificationPreferences,
    validate_sms_number,
)
from members.notification_preferences import (
    PERSONAL_CHANNELS,
    notification_preferences_get,
    notification_preferences_set,
)
from members.notifications import notifications_mark_read
from members.selectors import (
    closing_day_list,
    membership_change_list_for_office,
    membership_list_for_firm,
    membership_list_for_office,
    network_get_visible,
    network_list_public,
    notification_inbox,
)
from members.services import (
    closing_day_add,
    closing_day_remove,
    membership_accept,
    membership_apply,
    membership_approve,
    membership_decline,
    membership_invite,
    membership_invite_new_firm,
    membership_update,
    nda_sign,
)


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
@extend_schema_view(
    list=extend_schema(summary="List the networks"),
    retrieve=extend_schema(summary="Read one network, by slug"),
)
class NetworkViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = NetworkSerializer
    permission_classes = [AllowAny]
    lookup_field = "slug"

    def get_queryset(self):
        return network_list_public().order_by("slug")


# --- Memberships (the office's) and NDAs (a member firm's) -------------------------------

NETWORK_SLUG_PARAMETER = OpenApiParameter("slug", str, OpenApiParameter.PATH)


def network_run_by_caller(request, slug: str) -> Network:
    """Return the network of the URL if the caller runs it; 404 if unseen, else 403."""
    network = network_get_visible(slug=slug, user=request.user)
    if network is None:
        raise NotFound()
    if not access.runs_network(request.user, network):
        raise PermissionDenied(_("Only the network's office may do this."))
    return network


def api_validation_error(error: DjangoValidationError) -> ApiValidationError:
    """Answer a new firm's fields the model refused as a 400 that names them (the services'
    own refusals are `core.errors.Refusal`, answered by the API's error handler)."""
    if hasattr(error, "error_dict"):
        return ApiValidationError(error.message_dict)
    return ApiValidationError({"non_field_errors": error.messages})


class NewFirmSerializer(serializers.ModelSerializer):
    class Meta:
        model = Firm
        fields = ["name_ja", "name_en", "prefecture", "city", "email", "website"]


class MembershipSerializer(serializers.ModelSerializer):
    firm = serializers.PrimaryKeyRelatedField(
        queryset=Firm.objects.filter(is_active=True),
        required=False,
        help_text=_("An existing firm; or give new_firm to create one."),
    )
    firm_name = serializers.CharField(source="firm.name", read_only=True)
    new_firm = NewFirmSerializer(
        write_only=True, required=False, help_text=_("A firm not yet on the platform.")
    )
    group = serializers.PrimaryKeyRelatedField(
        queryset=NetworkGroup.objects.all(), required=False, allow_null=True
    )
    nda_current = serializers.SerializerMethodField(
        help_text=_("Whether the firm signed the network's current NDA.")
    )

    class Meta:
        model = Membership
        fields = [
            "id",
            "firm",
            "firm_name",
            "new_firm",
            "role",
            "group",
            "status",
            "is_active",
            "network_agreed_at",
            "firm_agreed_at",
            "joined_on",
            "nda_signed_at",
            "nda_version",
            "nda_current",
        ]
        read_only_fields = [
            "id",
            "status",
            "network_agreed_at",
            "firm_agreed_at",
            "joined_on",
            "nda_signed_at",
            "nda_version",
        ]
        extra_kwargs = {
            "is_active": {
                "required": False,
                "help_text": _(
                    "Only false may be written (ending the membership); a membership "
                    "becomes active when both sides agree."
                ),
            }
        }

    def get_nda_current(self, membership: Membership) -> bool:
        return access.nda_current(membership, membership.network)

    def validate_role(self, role: str) -> str:
        request = self.context["request"]
        if role == Membership.Role.OFFICE and not access.is_staff(request.user):
            raise serializers.ValidationError(_("Only platform staff appoint a network's office."))
        return role

    def validate(self, data: dict) -> dict:
        if self.instance is None and bool(data.get("firm")) == bool(data.get("new_firm")):
            raise serializers.ValidationError(
                {"firm": [_("Give either firm (an existing firm's id) or new_firm.")]}
            )
        if self.instance is not None and ("firm" in data or "new_firm" in data):
            raise serializers.ValidationError({"firm": [_("A membership's firm cannot change.")]})
        return data


@extend_schema_view(
    get=extend_schema(
        summary="The network's memberships (for its office)", parameters=[NETWORK_SLUG_PARAMETER]
    ),
    post=extend_schema(
        summary="Invite a firm into the network (an existing firm, or a new one)",
        description=(
            "The membership is created as an invitation (status invited, not active): it "
            "becomes active when one of the firm's people accepts it."
        ),
        parameters=[NETWORK_SLUG_PARAMETER],
        responses={201: MembershipSerializer},
    ),
)
class MembershipListView(generics.ListCreateAPIView):
    serializer_class = MembershipSerializer
    permission_classes = [IsAuthenticated]
    filter_backends = []

    def network(self) -> Network:
        if not hasattr(self, "_network"):
            self._network = network_run_by_caller(self.request, self.kwargs["slug"])
        return self._network

    def get_queryset(self):
        return membership_list_for_office(network=self.network())

    def create(self, request, *args, **kwargs):
        network = self.network()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        role = data.get("role", Membership.Role.MEMBER)
        try:
            if data.get("firm"):
                membership = membership_invite(
                    network=network,
                    firm=data["firm"],
                    role=role,
                    group=data.get("group"),
                    actor=request.user,
                )
            else:
                membership = membership_invite_new_firm(
                    network=network,
                    role=role,
                    group=data.get("group"),
                    actor=request.user,
                    **data["new_firm"],
                )
        except DjangoValidationError as error:
            raise api_validation_error(error) from None
        return Response(self.get_serializer(membership).data, status=status.HTTP_201_CREATED)


MEMBERSHIP_ID_PARAMETER = OpenApiParameter("membership_id", int, OpenApiParameter.PATH)


@extend_schema_view(
    get=extend_schema(
        summary="One membership of the network",
        parameters=[NETWORK_SLUG_PARAMETER, MEMBERSHIP_ID_PARAMETER],
    ),
    patch=extend_schema(
        summary="Change a membership's role, group or whether it is active",
        parameters=[NETWORK_SLUG_PARAMETER, MEMBERSHIP_ID_PARAMETER],
    ),
)
class MembershipDetailView(generics.RetrieveAPIView):
    serializer_class = MembershipSerializer
    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "patch", "options", "head"]

    def get_object(self) -> Membership:
        network = network_run_by_caller(self.request, self.kwargs["slug"])
        membership = (
            membership_list_for_office(network=network)
            .filter(pk=self.kwargs["membership_id"])
            .first()
        )
        if membership is None:
            raise NotFound()
        return membership

    def patch(self, request, *args, **kwargs):
        membership = self.get_object()
        serializer = self.get_serializer(membership, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        changes = {key: data[key] for key in ("role", "group", "is_active") if key in data}
        changes_office_role = changes.get("role", membership.role) != membership.role
        if (
            membership.role == Membership.Role.OFFICE
            and changes_office_role
            and not access.is_staff(request.user)
        ):
            raise ApiValidationError(
                {"role": [_("Only platform staff change an office membership's role.")]}
            )
        membership = membership_update(membership=membership, actor=request.user, **changes)
        return Response(self.get_serializer(membership).data)


def _membership_action_response(view, action, membership: Membership) -> Response:
    membership = action(membership=membership, actor=view.request.user)
    return Response(MembershipSerializer(membership, context={"request": view.request}).data)


@extend_schema_view(
    post=extend_schema(
        summary="Approve a firm's application to join the network (its office)",
        parameters=[NETWORK_SLUG_PARAMETER, MEMBERSHIP_ID_PARAMETER],
        request=None,
        responses={200: MembershipSerializer},
    )
)
class MembershipApproveView(APIView):
    permission_classes = [IsAuthenticated]

    def post(self, request, slug: str, membership_id: int):
        return _membership_action_response(
            self, membership_approve, _office_membership(request, slug, membership_id)
        )


@extend_schema_view(
    post=extend_schema(
        summary="Decline a firm's application to join the network (its office)",
        parameters=[NETWORK_SLUG_PARAMETER, MEMBERSHIP_ID_PARAMETER],
        request=None,
        responses={200: MembershipSerializer},
    )
)
class MembershipOfficeDeclineView(APIView):
    permission_classes = [IsAuthenticated]

    def post(self, request, slug: str, membership_id: int):
        membership = _office_membership(request, slug, membership_id)
        if membership.status != Membership.Status.APPLIED:
            raise ApiValidationError({"status": [_("There is no open application to decline.")]})
        return _membership_action_response(self, membership_decline, membership)


def _office_membership(request, slug: str, membership_id: int) -> Membership:
    network = network_run_by_caller(request, slug)
    membership = membership_list_for_office(network=network).filter(pk=membership_id).first()
    if membership is None:
        raise NotFound()
    return membership


@extend_schema_view(
    get=extend_schema(
        summary="Your firm's memberships, invitations and applications",
        parameters=[
            OpenApiParameter(
                "status",
                str,
                enum=Membership.Status.values,
                description="Only those in this status (invited: waiting for your answer).",
            )
        ],
    )
)
class FirmMembershipListView(generics.ListAPIView):
    serializer_class = MembershipSerializer
    permission_classes = [IsAuthenticated]
    filter_backends = []

    def get_queryset(self):
        memberships = membership_list_for_firm(user=self.request.user)
        wanted = self.request.query_params.get("status")
        if wanted:
            if wanted not in Membership.Status.values:
                raise ApiValidationError({"status": [_("Unknown status.")]})
            memberships = memberships.filter(status=wanted)
        return memberships


def _firm_membership(request, membership_id: int) -> Membership:
    membership = membership_list_for_firm(user=request.user).filter(pk=membership_id).first()
    if membership is None:
        raise NotFound()
    return membership


FIRM_MEMBERSHIP_ID_PARAMETER = OpenApiParameter("membership_id", int, OpenApiParameter.PATH)


@extend_schema_view(
    post=extend_schema(
        summary="Accept a network's invitation for your firm",
        parameters=[FIRM_MEMBERSHIP_ID_PARAMETER],
        request=None,
        responses={200: MembershipSerializer},
    )
)
class FirmMembershipAcceptView(APIView):
    permission_classes = [IsAuthenticated]

    def post(self, request, membership_id: int):
        return _membership_action_response(
            self, membership_accept, _firm_membership(request, membership_id)
        )


@extend_schema_view(
    post=extend_schema(
        summary="Decline a network's invitation for your firm",
        parameters=[FIRM_MEMBERSHIP_ID_PARAMETER],
        request=None,
        responses={200: MembershipSerializer},
    )
)
class FirmMembershipDeclineView(APIView):
    permission_classes = [IsAuthenticated]

    def post(self, request, membership_id: int):
        membership = _firm_membership(request, membership_id)
        if membership.status != Membership.Status.INVITED:
            raise ApiValidationError({"status": [_("There is no open invitation to decline.")]})
        return _membership_action_response(self, membership_decline, membership)


@extend_schema_view(
    post=extend_schema(
        summary="Apply for your firm to join the network; its office approves",
        description=(
            "Creates an application (status applied, 201). If the network had invited the "
            "firm, applying accepts the invitation: the membership is active (200)."
        ),
        parameters=[NETWORK_SLUG_PARAMETER],
        request=None,
        responses={200: MembershipSerializer, 201: MembershipSerializer},
    )
)
class NetworkApplicationView(APIView):
    permission_classes = [IsAuthenticated]

    def post(self, request, slug: str):
        network = network_get_visible(slug=slug, user=request.user)
        if network is None:
            raise NotFound()
        if request.user.firm_id is None:
            raise PermissionDenied(_("Only a firm's people apply for it to join a network."))
        membership = membership_apply(network=network, firm=request.user.firm, actor=request.user)
        answer = status.HTTP_200_OK if membership.is_active else status.HTTP_201_CREATED
        return Response(
            MembershipSerializer(membership, context={"request": request}).data, status=answer
        )


class NdaStatusSerializer(serializers.Serializer):
    required = serializers.BooleanField(help_text=_("Whether the network requires an NDA."))
    version = serializers.CharField(help_text=_("The NDA's current version."))
    signed = serializers.BooleanField(help_text=_("Whether your firm signed this version."))
    signed_at = BoundedDateTimeField(allow_null=True)
    signed_version = serializers.CharField(help_text=_("The last version your firm signed."))
    may_see_confidential = serializers.BooleanField()


class NdaSignSerializer(serializers.Serializer):
    version = serializers.CharField(max_length=50, help_text=_("The version you read."))
    accept = serializers.BooleanField(help_text=_("Must be true: you accept the NDA."))

    def validate_accept(self, accept: bool) -> bool:
        if not accept:
            raise serializers.ValidationError(_("Accept the NDA to sign it."))
        return accept


def _nda_status(network: Network, membership: Membership) -> dict:
    return {
        "required": network.nda_required,
        "version": network.nda_version,
        "signed": access.nda_current(membership, network),
        "signed_at": membership.nda_signed_at,
        "signed_version": membership.nda_version,
        "may_see_confidential": access.firm_may_see_confidential(membership.firm_id, network),
    }


@extend_schema_view(
    get=extend_schema(
        summary="The network's NDA and whether your firm signed it",
        parameters=[NETWORK_SLUG_PARAMETER],
        responses={200: NdaStatusSerializer},
    ),
    post=extend_schema(
        summary="Sign the network's current NDA for your firm",
        parameters=[NETWORK_SLUG_PARAMETER],
        request=NdaSignSerializer,
        responses={201: NdaStatusSerializer},
    ),
)
class NdaView(APIView):
    permission_classes = [IsAuthenticated]

    def membership(self, slug: str) -> tuple[Network, Membership]:
        network = network_get_visible(slug=slug, user=self.request.user)
        if network is None:
            raise NotFound()
        membership = access.membership_of(self.request.user, network)
        if membership is None:
            raise PermissionDenied(_("Your firm is not a member of this network."))
        return network, membership

    def get(self, request, slug: str):
        network, membership = self.membership(slug)
        return Response(NdaStatusSerializer(_nda_status(network, membership)).data)

    def post(self, request, slug: str):
        network, membership = self.membership(slug)
        serializer = NdaSignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        nda_sign(
            membership=membership,
            signed_by=request.user,
            version=serializer.validated_data["version"],
        )
        membership.refresh_from_db()
        return Response(
            NdaStatusSerializer(_nda_status(network, membership)).data,
            status=status.HTTP_201_CREATED,
        )


# --- The history of memberships (the office's audit trail) ------------------------------


class MembershipChangeSerializer(serializers.ModelSerializer):
    firm = serializers.IntegerField(source="membership.firm_id", read_only=True)
    firm_name = serializers.CharField(source="membership.firm.name", read_only=True)
    actor = serializers.CharField(
        source="actor.username",
        read_only=True,
        allow_null=True,
        default=None,
        help_text=_("Who made the change; empty for a command or the platform."),
    )
    # A plain string in the schema: an enum named "kind" would collide with the request
    # kinds' enum (drf-spectacular names enums after their fields).
    kind = serializers.CharField(
        read_only=True, help_text="One of: " + ", ".join(MembershipChange.Kind.values) + "."
    )
    before = serializers.DictField(read_only=True)
    after = serializers.DictField(read_only=True)

    class Meta:
        model = MembershipChange
        fields = ["id", "at", "membership", "firm", "firm_name", "kind", "actor", "before", "after"]
        read_only_fields = fields


@extend_schema_view(
    get=extend_schema(
        summary="Who changed which membership, role or NDA, and when (for its office)",
        parameters=[NETWORK_SLUG_PARAMETER],
    )
)
class MembershipChangeListView(generics.ListAPIView):
    serializer_class = MembershipChangeSerializer
    permission_classes = [IsAuthenticated]
    filter_backends = []

    def get_queryset(self):
        network = network_run_by_caller(self.request, self.kwargs["slug"])
        return membership_change_list_for_office(network=network)


# --- Closing days (the office's) -----------------------------------------------------------


class ClosingDaySerializer(serializers.ModelSerializer):
    date = BoundedDateField(help_text=_("A day the office is closed; the clock skips it."))

    class Meta:
        model = NetworkClosingDay
        fields = ["id", "date", "name"]
        read_only_fields = ["id"]


@extend_schema(tags=["networks"])
@extend_schema_view(
    get=extend_schema(
        summary="The days the network's office is closed (for its office)",
        description=(
            "Besides the national holidays, which the business-hours clock knows already."
        ),
        parameters=[NETWORK_SLUG_PARAMETER],
    ),
    post=extend_schema(
        summary="Close the network's office on a day: its business-hours clock skips it",
        parameters=[NETWORK_SLUG_PARAMETER],
        responses={201: ClosingDaySerializer},
    ),
)
class ClosingDayListView(generics.ListCreateAPIView):
    serializer_class = ClosingDaySerializer
    permission_classes = [IsAuthenticated]
    filter_backends = []

    def get_queryset(self):
        return closing_day_list(network=network_run_by_caller(self.request, self.kwargs["slug"]))

    def create(self, request, *args, **kwargs):
        network = network_run_by_caller(request, self.kwargs["slug"])
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        closing_day = closing_day_add(
            network=network,
            date=serializer.validated_data["date"],
            name=serializer.validated_data.get("name", ""),
            actor=request.user,
        )
        return Response(self.get_serializer(closing_day).data, status=status.HTTP_201_CREATED)


CLOSING_DAY_ID_PARAMETER = OpenApiParameter("closing_day_id", int, OpenApiParameter.PATH)


@extend_schema(tags=["networks"])
@extend_schema_view(
    delete=extend_schema(
        summary="Open the network's office again on a day it had closed",
        parameters=[NETWORK_SLUG_PARAMETER, CLOSING_DAY_ID_PARAMETER],
    ),
)
class ClosingDayDetailView(generics.DestroyAPIView):
    serializer_class = ClosingDaySerializer
    permission_classes = [IsAuthenticated]

    def get_object(self) -> NetworkClosingDay:
        network = network_run_by_caller(self.request, self.kwargs["slug"])
        closing_day = closing_day_list(network=network).filter(pk=self.kwargs["closing_day_id"])
        found = closing_day.first()
        if found is None:
            raise NotFound()
        return found

    def perform_destroy(self, instance: NetworkClosingDay) -> None:
        closing_day_remove(closing_day=instance, actor=self.request.user)


class NotificationPreferencesSerializer(serializers.Serializer):
    sms_number = PhoneNumberField(
        required=False,
        allow_blank=True,
        validators=[validate_sms_number],
        help_text=_(
            "The cell phone SMS go to: a mobile number, domestic (090-1234-5678) or "
            "international (+81 90 1234 5678). Empty: no SMS."
        ),
    )
    channels = serializers.DictField(
        child=serializers.ListField(
            child=serializers.ChoiceField(choices=[(c.value, c.label) for c in PERSONAL_CHANNELS])
        ),
        help_text=_(
            "For each topic (requests, estimates, deadlines, messages, orders, money, "
            "memberships), the channels that reach the person: email, sms, in_app. Urgent "
            "notices reach them in the app and by SMS whatever they choose."
        ),
    )
    quiet_hours_start = serializers.TimeField(
        allow_null=True,
        required=False,
        help_text=_("From when e-mail and SMS wait (urgent notices do not), in time_zone."),
    )
    quiet_hours_end = serializers.TimeField(allow_null=True, required=False)
    time_zone = serializers.CharField(read_only=True)

    def validate_channels(self, channels: dict) -> dict:
        unknown = sorted(set(channels) - set(NotificationPreferences.Topic.values))
        if unknown:
            raise serializers.ValidationError(
                _("Unknown topics: %(topics)s. The topics are %(known)s.")
                % {
                    "topics": ", ".join(unknown),
                    "known": ", ".join(NotificationPreferences.Topic.values),
                }
            )
        return channels

    def validate(self, data: dict) -> dict:
        if (data.get("quiet_hours_start") is None) != (data.get("quiet_hours_end") is None):
            raise serializers.ValidationError(
                {
                    "quiet_hours_end": _(
                        "Give both when quiet hours start and when they end, or neither."
                    )
                }
            )
        return data


def notification_preferences_answer(person) -> dict:
    return NotificationPreferencesSerializer(notification_preferences_get(person=person)).data


@extend_schema(tags=["notifications"])
class NotificationPreferencesView(APIView):
    """Which kinds of notice reach the caller on which channel; their quiet hours."""

    permission_classes = [IsAuthenticated]
    serializer_class = NotificationPreferencesSerializer

    @extend_schema(summary="The caller's notification preferences")
    def get(self, request):
        return Response(notification_preferences_answer(request.user))

    @extend_schema(
        summary="Set the caller's notification preferences and cell phone",
        description=(
            "Topics left out keep their channels. A sms_number left out is kept; an empty "
            "one removes it. Quiet hours left out are cleared."
        ),
        responses={
            200: NotificationPreferencesSerializer,
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="A phone that is not a mobile number, an unknown topic or "
                "channel, or quiet hours with one end only; each under its field.",
            ),
        },
    )
    def put(self, request):
        form = NotificationPreferencesSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        current = notification_preferences_get(person=request.user)
        notification_preferences_set(
            person=request.user,
            channels={**current["channels"], **data["channels"]},
            quiet_hours_start=data.get("quiet_hours_start"),
            quiet_hours_end=data.get("quiet_hours_end"),
            sms_number=data.get("sms_number"),
            set_sms_number="sms_number" in data,
        )
        return Response(notification_preferences_answer(request.user))


class NotificationReadSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    read_at = serializers.DateTimeField(read_only=True)


class NotificationsMarkedReadSerializer(serializers.Serializer):
    marked_read = serializers.IntegerField(
        read_only=True, help_text=_("How many were unread until now.")
    )


NOTIFICATION_ID_PARAMETER = OpenApiParameter("notification_id", int, OpenApiParameter.PATH)


@extend_schema(tags=["notifications"])
class NotificationReadView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Mark one of the caller's in-app notifications as read",
        request=None,
        parameters=[NOTIFICATION_ID_PARAMETER],
        responses={
            200: NotificationReadSerializer,
            404: OpenApiResponse(description="No such notification in the caller's inbox."),
        },
    )
    def post(self, request, notification_id: int):
        if not notification_inbox(request.user).filter(pk=notification_id).exists():
            raise NotFound(_("There is no such notification in your inbox."))
        notifications_mark_read(user=request.user, notification_ids=[notification_id])
        read_at = (
            notification_inbox(request.user)
            .filter(pk=notification_id)
            .values_list("read_at", flat=True)
            .get()
        )
        return Response({"id": notification_id, "read_at": read_at})


@extend_schema(tags=["notifications"])
class NotificationReadAllView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Mark all the caller's in-app notifications as read",
        request=None,
        responses={200: NotificationsMarkedReadSerializer},
    )
    def post(self, request):
        return Response({"marked_read": notifications_mark_read(user=request.user)})
