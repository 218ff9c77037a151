"""The API of the taxonomy, the public directory, firms' profiles and the matching engine."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from capabilities.matching.explanations import Names, covers_text, team_text
from capabilities.matching.ranking import rank_firms
from capabilities.matching.requirements import (
    MAX_REQUIREMENTS,
    MatchingError,
    Requirement,
    UnknownCapability,
)
from capabilities.matching.teams import propose_teams
from capabilities.models import MAX_GRADE, MIN_GRADE, Capability, DirectoryContact, FirmCapability
from capabilities.pagination import DirectoryPagination
from capabilities.selectors import (
    capability_list,
    directory_contact_list,
    directory_contact_list_for_firm,
    directory_firm_list,
    firm_capability_change_list,
    firm_capability_get,
    firm_capability_list,
    firm_visible_to,
)
from capabilities.services import (
    directory_contact_create,
    firm_capability_remove,
    firm_capability_set,
)
from core import access
from core.bounds import BoundedDateField, BoundedDateTimeField
from core.throttling import SlicedRateThrottle
from members.models import Firm, Membership, Network
from members.prefectures import Prefecture
from members.selectors import network_get_visible

CODE_PATTERN = r"[a-z0-9_]+(?:\.[a-z0-9_]+)*"


class ListPagination(PageNumberPagination):
    """Page numbers, with the page size up to the client (at most 100)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100


def api_validation_error(error: DjangoValidationError) -> ApiValidationError:
    """Turn the fields a model refused in a service (its full_clean) into a 400 that names
    them; the services' own refusals (`core.errors.Refusal`) go to the API's error handler."""
    if hasattr(error, "error_dict"):
        return ApiValidationError(error.message_dict)
    return ApiValidationError({"non_field_errors": error.messages})


# --- Taxonomy --------------------------------------------------------------------------


class CapabilitySerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text=_("In the request's language."))
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    # A plain string in the schema: an enum named "kind" would collide with the request
    # kinds' enum (drf-spectacular names enums after their fields).
    kind = serializers.CharField(
        read_only=True, help_text="One of: " + ", ".join(Capability.Kind.values) + "."
    )

    class Meta:
        model = Capability
        fields = [
            "code",
            "name",
            "name_ja",
            "name_en",
            "kind",
            "parent",
            "description",
            "keywords",
            "is_active",
        ]


@extend_schema_view(
    list=extend_schema(
        summary="The capability taxonomy",
        parameters=[
            OpenApiParameter(
                "kind", str, enum=Capability.Kind.values, description="Only nodes of this kind."
            ),
            OpenApiParameter("active", bool, description="Only nodes still offered."),
        ],
    ),
    retrieve=extend_schema(summary="One capability, by code"),
)
class CapabilityViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CapabilitySerializer
    permission_classes = [AllowAny]
    pagination_class = ListPagination
    lookup_field = "code"
    lookup_value_regex = CODE_PATTERN
    filter_backends = []

    def get_queryset(self) -> QuerySet[Capability]:
        kind = self.request.query_params.get("kind") or None
        if kind and kind not in Capability.Kind.values:
            raise ApiValidationError({"kind": [_("Unknown kind.")]})
        active = self.request.query_params.get("active", "").lower() in ("1", "true", "yes")
        return capability_list(kind=kind, active_only=active)


# --- Directory ---------------------------------------------------------------------------


class CapabilityGradeSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="capability.code", read_only=True)
    name = serializers.CharField(
        source="capability.name", read_only=True, help_text=_("In the request's language.")
    )

    class Meta:
        model = FirmCapability
        fields = ["code", "name", "grade"]


class DirectoryFirmSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text=_("In the request's language."))
    capabilities = CapabilityGradeSerializer(many=True, read_only=True)

    class Meta:
        model = Firm
        fields = [
            "id",
            "name",
            "name_ja",
            "name_en",
            "prefecture",
            "city",
            "website",
            "capabilities",
        ]


class FirmCapabilitySerializer(serializers.ModelSerializer):
    capability = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Capability.objects.all(),
        help_text=_("A taxonomy code; fixed once added (remove and add to change it)."),
    )
    capability_name = serializers.CharField(source="capability.name", read_only=True)
    kind = serializers.CharField(source="capability.kind", read_only=True)
    quality_grade_name = serializers.SerializerMethodField()
    acquired_through_order = serializers.IntegerField(
        source="acquired_through_order_id",
        required=False,
        allow_null=True,
        min_value=1,
        help_text=_("The order through which the firm learned this capability."),
    )
    since = BoundedDateField(history=True, required=False, allow_null=True)
    through_order = serializers.SerializerMethodField(
        help_text=_("Whether the firm learned this capability through an order.")
    )

    class Meta:
        model = FirmCapability
        fields = [
            "capability",
            "capability_name",
            "kind",
            "grade",
            "quality_grade",
            "quality_grade_name",
            "max_part_size_mm",
            "tolerance_um",
            "monthly_capacity",
            "equipment",
            "notes",
            "since",
            "acquired_through_order",
            "through_order",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]
        extra_kwargs = {"grade": {"required": True}}

    def to_representation(self, item: FirmCapability) -> dict:
        data = super().to_representation(item)
        # The order's id only for whom the selector allowed it (the firm and its offices).
        data["acquired_through_order"] = item.visible_order_id
        return data

    def get_through_order(self, item: FirmCapability) -> bool:
        return item.acquired_through_order_id is not None

    def get_quality_grade_name(self, item: FirmCapability) -> str | None:
        if item.quality_grade is None:
            return None
        return f"{item.quality_grade.standard.name}: {item.quality_grade.name}"

    def validate_capability(self, capability: Capability) -> Capability:
        if self.instance is not None and capability.pk != self.instance.capability_id:
            raise serializers.ValidationError(
                _("The capability of an entry cannot change; remove it and add the other.")
            )
        return capability


class FirmDetailSerializer(DirectoryFirmSerializer):
    profile = serializers.SerializerMethodField()
    capabilities = FirmCapabilitySerializer(many=True, read_only=True)

    class Meta(DirectoryFirmSerializer.Meta):
        fields = [
            *DirectoryFirmSerializer.Meta.fields,
            "profile",
            "profile_ja",
            "profile_en",
            "employees",
            "founded_year",
            "email",
        ]

    def get_profile(self, firm: Firm) -> str:
        from django.utils import translation

        english = (translation.get_language() or "ja").startswith("en")
        return (
            (firm.profile_en or firm.profile_ja)
            if english
            else (firm.profile_ja or firm.profile_en)
        )


DIRECTORY_PARAMETERS = [
    OpenApiParameter("network", str, description="A network's slug: only its members."),
    OpenApiParameter(
        "capability", str, description="A capability code: firms with it or a node below it."
    ),
    OpenApiParameter("material", str, description="A material code, as for capability."),
    OpenApiParameter(
        "grade", int, description=f"Minimum grade ({MIN_GRADE}-{MAX_GRADE}) for the filters."
    ),
    OpenApiParameter("prefecture", str, enum=Prefecture.values, description="JIS code."),
    OpenApiParameter("q", str, description="Text in Japanese or English."),
    OpenApiParameter("page_size", int, description="Results per page (at most 100)."),
]


@extend_schema_view(
    list=extend_schema(summary="The public directory of firms", parameters=DIRECTORY_PARAMETERS),
    retrieve=extend_schema(summary="A firm's public profile"),
)
class FirmViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    pagination_class = DirectoryPagination
    filter_backends = []

    def get_serializer_class(self):
        return DirectoryFirmSerializer if self.action == "list" else FirmDetailSerializer

    def get_queryset(self) -> QuerySet[Firm]:
        params = self.request.query_params
        network = None
        if params.get("network"):
            network = network_get_visible(slug=params["network"], user=self.request.user)
            if network is None:
                raise ApiValidationError({"network": [_("No such network.")]})
        grade_text = params.get("grade", "")
        grade = None
        if grade_text:
            if not grade_text.isdigit() or not MIN_GRADE <= int(grade_text) <= MAX_GRADE:
                raise ApiValidationError({"grade": [_("A grade is a whole number from 1 to 5.")]})
            grade = int(grade_text)
        prefecture = params.get("prefecture", "")
        if prefecture and prefecture not in Prefecture.values:
            raise ApiValidationError({"prefecture": [_("A prefecture is its JIS code, 01-47.")]})
        q = params.get("q", "")[:200]
        try:
            ProhibitNullCharactersValidator()(q)
        except DjangoValidationError as error:
            raise ApiValidationError({"q": error.messages}) from None
        return directory_firm_list(
            network=network,
            q=q,
            capability=params.get("capability", ""),
            material=params.get("material", ""),
            grade=grade,
            prefecture=prefecture,
        )

    def get_object(self) -> Firm:
        firm = firm_visible_to(user=self.request.user, firm_id=self._firm_id())
        if firm is None:
            raise NotFound()
        return Firm.objects.prefetch_related(
            Prefetch(
                "capabilities",
                queryset=firm_capability_list(firm=firm, viewer=self.request.user),
            )
        ).get(pk=firm.pk)

    def _firm_id(self) -> int:
        try:
            return int(self.kwargs["pk"])
        except ValueError:
            raise NotFound() from None


# --- A firm's profile ---------------------------------------------------------------------


class FirmProfileMixin:
    """Find the firm of the URL: 404 unless the user may see it, 403 unless they may edit it."""

    permission_classes = [IsAuthenticated]

    def firm(self) -> Firm:
        if not hasattr(self, "_firm"):
            firm = firm_visible_to(user=self.request.user, firm_id=int(self.kwargs["firm_id"]))
            if firm is None:
                raise NotFound()
            if not access.may_manage_firm(self.request.user, firm.pk):
                raise PermissionDenied(
                    _("Only the firm's own staff and its network's office edit its profile.")
                )
            self._firm = firm
        return self._firm


FIRM_ID_PARAMETER = OpenApiParameter("firm_id", int, OpenApiParameter.PATH)
CODE_PARAMETER = OpenApiParameter(
    "code", str, OpenApiParameter.PATH, description="A capability code."
)


@extend_schema_view(
    get=extend_schema(
        summary="A firm's capability profile",
        description="For the firm's own users and its networks' offices.",
        parameters=[FIRM_ID_PARAMETER],
    ),
    post=extend_schema(
        summary="Add a capability to a firm's profile (or change it if present)",
        parameters=[FIRM_ID_PARAMETER],
        responses={201: FirmCapabilitySerializer},
    ),
)
class FirmCapabilityListView(FirmProfileMixin, generics.ListCreateAPIView):
    serializer_class = FirmCapabilitySerializer
    pagination_class = ListPagination
    filter_backends = []

    def get_queryset(self) -> QuerySet[FirmCapability]:
        return firm_capability_list(firm=self.firm(), viewer=self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            item = firm_capability_set(
                firm=self.firm(),
                capability=data["capability"],
                grade=data["grade"],
                quality_grade=data.get("quality_grade"),
                max_part_size_mm=data.get("max_part_size_mm"),
                tolerance_um=data.get("tolerance_um"),
                monthly_capacity=data.get("monthly_capacity"),
                equipment=data.get("equipment", ""),
                notes=data.get("notes", ""),
                since=data.get("since"),
                acquired_through_order_id=data.get("acquired_through_order_id"),
                changed_by=request.user,
            )
        except DjangoValidationError as error:
            raise api_validation_error(error) from None
        item = firm_capability_get(firm=self.firm(), code=item.capability.code, viewer=request.user)
        return Response(self.get_serializer(item).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(
        summary="One capability of a firm's profile", parameters=[FIRM_ID_PARAMETER, CODE_PARAMETER]
    ),
    patch=extend_schema(
        summary="Change a capability of a firm's profile",
        parameters=[FIRM_ID_PARAMETER, CODE_PARAMETER],
    ),
    delete=extend_schema(
        summary="Remove a capability from a firm's profile",
        parameters=[FIRM_ID_PARAMETER, CODE_PARAMETER],
    ),
)
class FirmCapabilityDetailView(
    FirmProfileMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    generics.GenericAPIView,
):
    serializer_class = FirmCapabilitySerializer
    http_method_names = ["get", "patch", "delete", "options", "head"]

    def get_object(self) -> FirmCapability:
        item = firm_capability_get(
            firm=self.firm(), code=self.kwargs["code"], viewer=self.request.user
        )
        if item is None:
            raise NotFound(_("The firm has no such capability."))
        return item

    def get(self, request, *args, **kwargs):
        return self.retrieve(request, *args, **kwargs)

    def patch(self, request, *args, **kwargs):
        item = self.get_object()
        serializer = self.get_serializer(item, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        merged = {
            field: data.get(field, getattr(item, field))
            for field in (
                "grade",
                "quality_grade",
                "max_part_size_mm",
                "tolerance_um",
                "monthly_capacity",
                "equipment",
                "notes",
                "since",
                "acquired_through_order_id",
            )
        }
        try:
            firm_capability_set(
                firm=self.firm(), capability=item.capability, changed_by=request.user, **merged
            )
        except DjangoValidationError as error:
            raise api_validation_error(error) from None
        return Response(self.get_serializer(self.get_object()).data)

    def delete(self, request, *args, **kwargs):
        item = self.get_object()
        firm_capability_remove(
            firm=self.firm(), capability=item.capability, changed_by=request.user
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class CapabilityChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    capability = serializers.CharField(source="capability.code")
    capability_name = serializers.CharField(source="capability.name")
    action = serializers.ChoiceField(choices=["added", "changed", "removed"])
    grade_before = serializers.IntegerField(allow_null=True)
    grade_after = serializers.IntegerField(allow_null=True)
    order = serializers.IntegerField(
        source="visible_order_id",
        allow_null=True,
        help_text=_("The order it came through: shown to the firm and its offices only."),
    )
    through_order = serializers.SerializerMethodField(
        help_text=_("Whether the change came through an order.")
    )
    details = serializers.JSONField(
        source="visible_details",
        help_text=_("What else changed, field by field: [before, after]."),
    )
    at = BoundedDateTimeField()

    def get_through_order(self, change) -> bool:
        return change.order_id is not None


@extend_schema_view(
    get=extend_schema(
        summary="A firm's skill growth: every change to its profile, newest first",
        parameters=[FIRM_ID_PARAMETER],
    )
)
class FirmCapabilityChangeListView(generics.ListAPIView):
    serializer_class = CapabilityChangeSerializer
    permission_classes = [AllowAny]
    pagination_class = ListPagination
    filter_backends = []

    def firm(self) -> Firm:
        firm = firm_visible_to(user=self.request.user, firm_id=int(self.kwargs["firm_id"]))
        if firm is None:
            raise NotFound()
        return firm

    def get_queryset(self):
        return firm_capability_change_list(firm=self.firm(), viewer=self.request.user)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if "firm_id" in self.kwargs:
            context["may_manage"] = access.may_manage_firm(
                self.request.user, int(self.kwargs["firm_id"])
            )
        return context


# --- Directory contacts ---------------------------------------------------------------------


class ContactThrottle(SlicedRateThrottle, AnonRateThrottle):
    """Keep the public contact form from being used to flood a firm's inbox."""

    scope = "directory_contact"
    rate = "20/hour"

    def get_rate(self) -> str:
        return self.rate


class DirectoryContactSerializer(serializers.ModelSerializer):
    network = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Network.objects.filter(is_public=True),
        required=False,
        allow_null=True,
        help_text=_("The network whose directory led to the firm."),
    )
    capability = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Capability.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("The capability the message is about."),
    )
    firm = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = DirectoryContact
        fields = [
            "id",
            "firm",
            "network",
            "capability",
            "sender_name",
            "sender_email",
            "sender_organization",
            "message",
            "created_at",
        ]
        read_only_fields = ["id", "firm", "created_at"]


@extend_schema_view(
    get=extend_schema(
        summary="Messages a firm received through the directory",
        description="For the firm's own users and its networks' offices.",
        parameters=[FIRM_ID_PARAMETER],
    ),
    post=extend_schema(
        summary="Contact a firm from the directory (no login needed)",
        parameters=[FIRM_ID_PARAMETER],
        responses={201: DirectoryContactSerializer},
    ),
)
class FirmContactView(generics.ListCreateAPIView):
    serializer_class = DirectoryContactSerializer
    pagination_class = ListPagination
    filter_backends = []

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    def get_throttles(self):
        return [ContactThrottle()] if self.request.method == "POST" else []

    def firm(self) -> Firm:
        firm = firm_visible_to(user=self.request.user, firm_id=int(self.kwargs["firm_id"]))
        if firm is None:
            raise NotFound()
        return firm

    def get_queryset(self):
        firm = self.firm()
        if not access.may_manage_firm(self.request.user, firm.pk):
            raise PermissionDenied()
        return directory_contact_list_for_firm(firm=firm)

    def create(self, request, *args, **kwargs):
        firm = self.firm()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            contact = directory_contact_create(
                firm=firm, sent_by=request.user, **serializer.validated_data
            )
        except DjangoValidationError as error:
            raise api_validation_error(error) from None
        return Response(self.get_serializer(contact).data, status=status.HTTP_201_CREATED)


NETWORK_SLUG_PARAMETER = OpenApiParameter("slug", str, OpenApiParameter.PATH)


def network_run_by_caller(request, slug: str) -> Network:
    """Return the network of the URL if the caller runs it; 404 if unseen, else 403."""
    network = network_get_visible(slug=slug, user=request.user)
    if network is None:
        raise NotFound()
    if not access.runs_network(request.user, network):
        raise PermissionDenied(_("Only the network's office may do this."))
    return network


@extend_schema_view(
    get=extend_schema(
        summary="Messages that reached the network's members through its directory",
        description="For the network's office: how much business reaches members directly.",
        parameters=[NETWORK_SLUG_PARAMETER],
    )
)
class NetworkContactListView(generics.ListAPIView):
    serializer_class = DirectoryContactSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = ListPagination
    filter_backends = []

    def get_queryset(self):
        return directory_contact_list(
            network=network_run_by_caller(self.request, self.kwargs["slug"])
        )


# --- Matching preview -----------------------------------------------------------------------


class MatchRequirementSerializer(serializers.Serializer):
    capability = serializers.RegexField(CODE_PATTERN, max_length=120)
    min_grade = serializers.IntegerField(min_value=MIN_GRADE, max_value=MAX_GRADE, default=1)


class MatchRequestSerializer(serializers.Serializer):
    requirements = MatchRequirementSerializer(
        many=True, allow_empty=False, max_length=MAX_REQUIREMENTS
    )
    # Strings, not an enum, in the schema: the choice set is the memberships' "role" enum.
    roles = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Only members in these roles: " + ", ".join(Membership.Role.values) + ".",
    )
    require_full_cover = serializers.BooleanField(default=False)
    limit = serializers.IntegerField(min_value=1, max_value=200, default=50)
    teams = serializers.BooleanField(default=True, help_text=_("Also propose teams."))

    def validate_roles(self, roles: list[str]) -> list[str]:
        unknown = sorted(set(roles) - set(Membership.Role.values))
        if unknown:
            raise serializers.ValidationError(_("Unknown role(s): %s.") % ", ".join(unknown))
        return roles


class CandidateSerializer(serializers.Serializer):
    firm = serializers.IntegerField(source="firm_id")
    score = serializers.IntegerField()
    covered = serializers.ListField(child=serializers.CharField())
    missing = serializers.ListField(child=serializers.CharField())
    grades = serializers.DictField(child=serializers.IntegerField())
    reason = serializers.DictField(help_text="Why the firm ranks where it does, as data.")
    explanation = serializers.SerializerMethodField(
        help_text="The reason in the language of the request (Accept-Language)."
    )

    def get_explanation(self, candidate) -> str:
        return covers_text(candidate.reason, self.context["names"])


class TeamSerializer(serializers.Serializer):
    firms = serializers.ListField(child=serializers.IntegerField(), source="firm_ids")
    assignments = serializers.DictField(child=serializers.IntegerField())
    score = serializers.IntegerField()
    reason = serializers.DictField(help_text="Why the team was proposed, as data.")
    explanation = serializers.SerializerMethodField(
        help_text="The reason in the language of the request (Accept-Language)."
    )

    def get_explanation(self, team) -> str:
        return team_text(team.reason, self.context["names"])


class MatchResultSerializer(serializers.Serializer):
    candidates = CandidateSerializer(many=True)
    teams = TeamSerializer(many=True)


@extend_schema(
    summary="Preview who can do a set of requirements",
    description=(
        "For the network's office: the member firms ranked by the matching engine with "
        "their explanations, and, when no firm covers everything, the smallest teams that "
        "do. Open load and response rates are not known here (they come from requests) "
        "and do not count in this preview."
    ),
    parameters=[NETWORK_SLUG_PARAMETER],
    request=MatchRequestSerializer,
    responses={
        200: MatchResultSerializer,
        400: OpenApiResponse(OpenApiTypes.OBJECT, description="Invalid or unknown codes."),
    },
)
class NetworkMatchView(APIView):
    permission_classes = [IsAuthenticated]

    def post(self, request, slug: str):
        network = network_run_by_caller(request, slug)
        serializer = MatchRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        requirements = [
            Requirement(item["capability"], item["min_grade"]) for item in data["requirements"]
        ]
        roles = data.get("roles")
        try:
            candidates = rank_firms(
                network_id=network.pk,
                requirements=requirements,
                roles=roles,
                require_full_cover=data["require_full_cover"],
                limit=data["limit"],
            )
            teams = []
            if data["teams"] and not any(not candidate.missing for candidate in candidates):
                teams = propose_teams(network_id=network.pk, requirements=requirements, roles=roles)
        except UnknownCapability as error:
            raise ApiValidationError(
                {"requirements": [_("Unknown capability code(s): %s.") % ", ".join(error.codes)]}
            ) from None
        except MatchingError as error:
            raise ApiValidationError({"requirements": [str(error)]}) from None
        result = {"candidates": candidates, "teams": teams}
        # The names of the capabilities and firms the explanations mention, read once.
        return Response(MatchResultSerializer(result, context={"names": Names()}).data)
