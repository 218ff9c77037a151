"""What the workflow API reads and writes; validation at the edge, in words people use."""

from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from brokerage.models import Deadline, GroupProposal, Invitation, PhaseAssignment
from brokerage.reasons import reason_text
from brokerage.selectors import promise_of
from capabilities.matching.explanations import Names
from capabilities.models import MAX_GRADE, MIN_GRADE
from core import access
from core.bounds import MAX_QUANTITY, AmountField, BoundedDateField, BoundedDateTimeField
from members.models import Network, Notification, User
from orders.models import (
    REQUEST_THREADS,
    RFQ,
    Drawing,
    DrawingPreview,
    Estimate,
    EstimateLine,
    Event,
    Message,
)

NO_SUCH_CUSTOMER = "No customer with this id for whom you may enter a request."
REASON_HELP = "Why, as data: a `code` and its parameters (see brokerage.reasons)."
# A drawing whose preview the worker has not made yet has no preview row.
PREVIEW_PENDING = "pending"
REASON_TEXT_HELP = "The reason in the language of the request (Accept-Language)."


class RequirementSerializer(serializers.Serializer):
    capability = serializers.CharField(max_length=120, help_text="A capability code.")
    min_grade = serializers.IntegerField(min_value=MIN_GRADE, max_value=MAX_GRADE, default=1)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class NewCustomerSerializer(serializers.Serializer):
    """A customer the office keys a request in for, who has no account yet."""

    name = serializers.CharField(max_length=150)
    email = serializers.EmailField()
    organization = serializers.CharField(max_length=200, required=False, allow_blank=True)
    customer_type = serializers.ChoiceField(
        choices=User.CustomerType.choices, default=User.CustomerType.COMPANY
    )


class RFQCreateSerializer(serializers.Serializer):
    network = serializers.SlugRelatedField(
        slug_field="slug", queryset=Network.objects.filter(is_public=True)
    )
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(
        max_length=20_000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required, unless the request is saved as a draft.",
    )
    draft = serializers.BooleanField(
        default=False,
        help_text="Save the request as the customer's draft instead of submitting it: it may "
        "be incomplete, and has no clock until it is submitted (POST …/submit/).",
    )
    kind = serializers.ChoiceField(choices=RFQ.Kind.choices, default=RFQ.Kind.PROTOTYPE)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY, default=1)
    material = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    requirements = RequirementSerializer(many=True, required=False, default=list)
    desired_date = BoundedDateField(required=False, allow_null=True, default=None)
    budget_min = AmountField(min_value=0, required=False, allow_null=True, default=None)
    budget_max = AmountField(min_value=0, required=False, allow_null=True, default=None)
    confidential = serializers.BooleanField(default=False)
    urgency = serializers.ChoiceField(choices=RFQ.Urgency.choices, default=RFQ.Urgency.NORMAL)
    channel = serializers.ChoiceField(
        choices=RFQ.Channel.choices,
        default=RFQ.Channel.WEB,
        help_text="For the office: how the request came in (fax, phone, e-mail).",
    )
    received_at = BoundedDateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="For the office: when the fax, call or e-mail came in (ISO 8601 with its "
        "offset); the estimate clock runs from then. Not in the future, nor longer ago than "
        "the network's key_in_backdate_hours.",
    )
    customer = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(firm__isnull=True, is_staff=False),
        required=False,
        allow_null=True,
        default=None,
        help_text="For the office: the existing customer the request is entered for.",
        # The same answer whether the id is missing or another customer's: nobody learns
        # which customers exist by asking.
        error_messages={"does_not_exist": NO_SUCH_CUSTOMER, "incorrect_type": NO_SUCH_CUSTOMER},
    )
    new_customer = NewCustomerSerializer(
        required=False,
        allow_null=True,
        default=None,
        help_text="For the office: a customer without an account yet.",
    )

    def validate_customer(self, value):
        """Only the network's office names a customer; for anyone else no customer exists."""
        user = self.context["request"].user
        if value is None or value.pk == user.pk:
            return value
        network = Network.objects.filter(slug=str(self.initial_data.get("network", ""))).first()
        if network is None or not access.is_office(user, network):
            raise serializers.ValidationError(NO_SUCH_CUSTOMER)
        return value

    def validate_desired_date(self, value):
        if value is not None and value < timezone.localdate():
            raise serializers.ValidationError("The desired date lies in the past.")
        return value

    def validate(self, attrs):
        low, high = attrs.get("budget_min"), attrs.get("budget_max")
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError(
                {"budget_max": "The upper budget must not be below the lower one."}
            )
        if attrs.get("customer") and attrs.get("new_customer"):
            raise serializers.ValidationError(
                {"new_customer": "Give either an existing customer or a new one, not both."}
            )
        if not attrs.get("draft") and not attrs.get("description", "").strip():
            raise serializers.ValidationError({"description": _("This field is required.")})
        return attrs


class RFQDraftSerializer(serializers.Serializer):
    """A draft's fields, any of which a PATCH changes (requirements: the whole list)."""

    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=20_000, allow_blank=True)
    kind = serializers.ChoiceField(choices=RFQ.Kind.choices)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)
    material = serializers.CharField(max_length=200, allow_blank=True)
    requirements = RequirementSerializer(many=True)
    desired_date = BoundedDateField(allow_null=True)
    budget_min = AmountField(min_value=0, allow_null=True)
    budget_max = AmountField(min_value=0, allow_null=True)
    confidential = serializers.BooleanField()
    urgency = serializers.ChoiceField(choices=RFQ.Urgency.choices)

    def validate_desired_date(self, value):
        if value is not None and value < timezone.localdate():
            raise serializers.ValidationError(_("The desired date lies in the past."))
        return value


class RFQSubmittedSerializer(serializers.Serializer):
    """The answer to a submission: the request as saved, and when its estimate is due.

    Routing follows in a worker within moments; GET the request's `url` for its progress.
    """

    id = serializers.IntegerField(source="rfq.pk")
    url = serializers.SerializerMethodField()
    network = serializers.CharField(source="network.slug")
    title = serializers.CharField(source="rfq.title")
    kind = serializers.CharField(source="rfq.kind")
    quantity = serializers.IntegerField(source="rfq.quantity")
    confidential = serializers.BooleanField(source="rfq.confidential")
    channel = serializers.CharField(source="rfq.channel")
    urgency = serializers.CharField(source="rfq.urgency")
    status = serializers.CharField(source="rfq.status")
    submitted_at = BoundedDateTimeField(source="rfq.submitted_at")
    estimate_due_at = BoundedDateTimeField(source="rfq.estimate_due_at")
    requirements = RequirementSerializer(many=True)

    def get_url(self, value) -> str:
        return f"/api/rfqs/{value['rfq'].pk}/"


class RequirementReadSerializer(serializers.Serializer):
    capability = serializers.CharField(source="capability.code")
    name = serializers.CharField(source="capability.name")
    min_grade = serializers.IntegerField()
    note = serializers.CharField()


class PreviewImageSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    url = serializers.SerializerMethodField()

    def get_url(self, image) -> str:
        drawing = image.preview.drawing
        return f"/api/rfqs/{drawing.rfq_id}/attachments/{drawing.pk}/preview/{image.number}/"


class DrawingPreviewSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[PREVIEW_PENDING, *DrawingPreview.Status.values],
        help_text="pending: not made yet; ready: images below; unavailable: the format has "
        "none; failed: the file could not be read (see reason).",
    )
    reason = serializers.ChoiceField(choices=DrawingPreview.Reason.values)
    page_count = serializers.IntegerField(help_text="Pages in the document; a few are shown.")
    images = PreviewImageSerializer(many=True)


class DrawingSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()
    preview = serializers.SerializerMethodField()

    class Meta:
        model = Drawing
        fields = [
            "id",
            "original_name",
            "content_type",
            "size",
            "uploaded_at",
            "download_url",
            "preview",
        ]

    def get_download_url(self, drawing) -> str:
        return f"/api/rfqs/{drawing.rfq_id}/attachments/{drawing.pk}/download/"

    @extend_schema_field(DrawingPreviewSerializer)
    def get_preview(self, drawing) -> dict:
        preview = getattr(drawing, "preview", None)
        if preview is None:
            return {"status": PREVIEW_PENDING, "reason": "", "page_count": 0, "images": []}
        return {
            "status": preview.status,
            "reason": preview.reason,
            "page_count": preview.page_count,
            "images": PreviewImageSerializer(preview.images.all(), many=True).data,
        }


class PromiseSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Deadline.Stage.choices)
    stage_label = serializers.CharField(source="get_stage_display")
    due_at = BoundedDateTimeField()


class RFQSerializer(serializers.ModelSerializer):
    network = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    requirements = serializers.SerializerMethodField()
    drawings = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()
    material = serializers.SerializerMethodField()
    budget_min = serializers.SerializerMethodField()
    budget_max = serializers.SerializerMethodField()
    leader_firm = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    leader_reason = serializers.ChoiceField(
        choices=RFQ.LeaderReason.choices, read_only=True, allow_blank=True
    )
    your_role = serializers.SerializerMethodField()
    unread_messages = serializers.IntegerField(
        read_only=True,
        help_text="Messages on the request's threads the caller may read and has not read yet.",
    )
    promise = serializers.SerializerMethodField(
        help_text="What the network promised next and by when: the stage of its policy "
        "(interview, planning, estimate) and its due time; null once nothing is promised."
    )

    class Meta:
        model = RFQ
        fields = [
            "id",
            "network",
            "title",
            "description",
            "kind",
            "quantity",
            "material",
            "desired_date",
            "budget_min",
            "budget_max",
            "currency",
            "confidential",
            "channel",
            "urgency",
            "status",
            "submitted_at",
            "estimate_due_at",
            "leader_firm",
            "leader_reason",
            "requirements",
            "drawings",
            "your_role",
            "unread_messages",
            "promise",
            "created_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "status": {
                "help_text": "Where the request stands. `triage`: no member firm covers it, "
                "and the network's office corrects its requirements, invites firms by hand "
                "(`POST …/triage/invite/`) or closes it; it closes as `no_bid` by itself "
                "after the network's triage window (`triage_window_days` working days)."
            }
        }

    @extend_schema_field(PromiseSerializer(allow_null=True))
    def get_promise(self, rfq) -> dict | None:
        deadline = promise_of(rfq)
        return PromiseSerializer(deadline).data if deadline else None

    def _details(self, rfq) -> bool:
        return access.rfq_details_visible(self.context["request"].user, rfq)

    # One nested serializer for every row of a list: building one per row cost more than
    # the rest of the row.
    @cached_property
    def _requirement_list(self) -> serializers.ListSerializer:
        return RequirementReadSerializer(many=True)

    @cached_property
    def _drawing_list(self) -> serializers.ListSerializer:
        return DrawingSerializer(many=True)

    def get_description(self, rfq) -> str:
        if self._details(rfq):
            return rfq.description
        return "Confidential: sign the network's NDA to read the details."

    def get_material(self, rfq) -> str:
        return rfq.material if self._details(rfq) else ""

    def get_budget_min(self, rfq) -> int | None:
        return rfq.budget_min if self._details(rfq) else None

    def get_budget_max(self, rfq) -> int | None:
        return rfq.budget_max if self._details(rfq) else None

    def get_requirements(self, rfq) -> list[dict]:
        requirements = self._requirement_list.to_representation(rfq.requirements.all())
        if not self._details(rfq):
            # What is asked for routes the request; how exactly is the customer's detail.
            return [{**requirement, "note": ""} for requirement in requirements]
        return requirements

    def get_drawings(self, rfq) -> list[dict]:
        if not self._details(rfq):
            return []
        return self._drawing_list.to_representation(rfq.drawings.all())

    def get_your_role(self, rfq) -> str:
        return access.rfq_role(self.context["request"].user, rfq)


class InvitationSerializer(serializers.ModelSerializer):
    rfq_title = serializers.CharField(source="rfq.title", read_only=True)
    firm_name = serializers.CharField(source="firm.name", read_only=True)
    reason = serializers.DictField(read_only=True, help_text=REASON_HELP)
    reason_text = serializers.SerializerMethodField(help_text=REASON_TEXT_HELP)

    class Meta:
        model = Invitation
        fields = [
            "id",
            "rfq",
            "rfq_title",
            "firm",
            "firm_name",
            "purpose",
            "rank",
            "status",
            "reason",
            "reason_text",
            "price",
            "lead_time_days",
            "note",
            "line_description",
            "created_at",
            "answer_due_at",
            "answered_at",
        ]
        read_only_fields = fields

    def get_reason_text(self, invitation) -> str:
        return reason_text(invitation.reason, self.context.setdefault("names", Names()))


class AnswerSerializer(serializers.Serializer):
    can_do = serializers.BooleanField()
    price = AmountField(min_value=0, required=False, allow_null=True)
    lead_time_days = serializers.IntegerField(
        min_value=0, max_value=3650, required=False, allow_null=True
    )
    note = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="For the office and the project leader only; never shown to the customer.",
    )
    line_description = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        default="",
        help_text="Optional: how the firm's work reads on the customer's estimate.",
    )

    def validate(self, attrs):
        # The same words as the page's form (brokerage.forms.AnswerForm), each on its field.
        if attrs["can_do"]:
            missing = {
                field: [message]
                for field, message in (
                    ("price", _("Give your price when you can do it.")),
                    ("lead_time_days", _("Give your lead time when you can do it.")),
                )
                if attrs.get(field) is None
            }
            if missing:
                raise serializers.ValidationError(missing)
        return attrs


class DecisionSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class BoardVoteSerializer(serializers.Serializer):
    firm = serializers.IntegerField(source="firm_id")
    firm_name = serializers.CharField(source="firm.name")
    accept = serializers.BooleanField()
    reason = serializers.CharField()
    at = BoundedDateTimeField()


class BoardSerializer(serializers.Serializer):
    """The administrative board's votes so far against the network's rule."""

    rule = serializers.CharField(help_text="The network's rule: any, majority or all.")
    board_size = serializers.IntegerField()
    accepts = serializers.IntegerField()
    declines = serializers.IntegerField()
    undecided = serializers.IntegerField(help_text="Administrative members yet to vote.")
    accepts_needed = serializers.IntegerField(help_text="Accepts the rule needs to accept.")
    outcome = serializers.ChoiceField(
        choices=["accepted", "declined"],
        allow_null=True,
        help_text="Null while undecided: until then a member may change its vote.",
    )
    votes = BoardVoteSerializer(many=True)


class LeaderSerializer(serializers.Serializer):
    firm = serializers.IntegerField(min_value=1)
    reason = serializers.ChoiceField(choices=RFQ.LeaderReason.choices)


class EstimateLineWriteSerializer(serializers.Serializer):
    firm = serializers.IntegerField(min_value=1)
    description = serializers.CharField(max_length=300)
    work_package = serializers.CharField(max_length=100, required=False, allow_blank=True)
    amount = AmountField(
        min_value=0,
    )


class EstimateCreateSerializer(serializers.Serializer):
    lines = EstimateLineWriteSerializer(many=True, allow_empty=False)
    lead_time_days = serializers.IntegerField(min_value=0, max_value=3650)
    valid_until = BoundedDateField()


class EstimateLineSerializer(serializers.ModelSerializer):
    firm_name = serializers.CharField(source="firm.name", read_only=True)

    class Meta:
        model = EstimateLine
        fields = ["firm", "firm_name", "work_package", "description", "amount"]


class EstimateSerializer(serializers.ModelSerializer):
    lines = EstimateLineSerializer(many=True, read_only=True)

    class Meta:
        model = Estimate
        fields = [
            "id",
            "rfq",
            "version",
            "status",
            "currency",
            "lines",
            "subtotal",
            "tax_rate_bps",
            "tax",
            "total",
            "lead_time_days",
            "valid_until",
            "sent_at",
            "decided_at",
            "decline_reason",
        ]
        read_only_fields = fields


class ReissueSerializer(serializers.Serializer):
    valid_until = BoundedDateField(help_text="The new version's last valid day.")


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class OrderCreatedSerializer(serializers.Serializer):
    order = serializers.IntegerField()


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    data = serializers.SerializerMethodField()
    reason_text = serializers.SerializerMethodField(
        help_text="The event's reason (data.reason) in the language of the request, when it "
        "has one: why a request closed with no bid, why a board member declined."
    )

    class Meta:
        model = Event
        fields = ["id", "at", "actor", "kind", "data", "reason_text"]
        read_only_fields = fields

    def get_actor(self, event) -> str | None:
        rfq = self.context["rfq"]
        return access.event_actor(
            self.context["request"].user,
            event,
            network_id=rfq.network_id,
            customer_id=rfq.customer_id,
        )

    def get_data(self, event) -> dict:
        return access.rfq_event_data(
            self.context["request"].user, self.context["rfq"], event.kind, event.data
        )

    def get_reason_text(self, event) -> str:
        reason = self.get_data(event).get("reason")
        return reason_text(reason, self.context.setdefault("names", Names()))


class ScheduleSerializer(serializers.Serializer):
    scheduled_at = BoundedDateTimeField()
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class InterviewNotesSerializer(serializers.Serializer):
    notes = serializers.CharField(max_length=20_000)


class PhasesSerializer(serializers.Serializer):
    phases = serializers.DictField(
        child=serializers.IntegerField(min_value=1),
        help_text="Firm id per phase: " + ", ".join(PhaseAssignment.Phase.values),
    )
    notes = serializers.CharField(max_length=20_000, required=False, allow_blank=True, default="")


class ProposalSerializer(serializers.ModelSerializer):
    group_name = serializers.CharField(source="group.name", read_only=True)
    coordinator = serializers.IntegerField(source="group.coordinator_id", read_only=True)
    tax = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Consumption tax on the price."
    )
    total = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The price with its tax."
    )

    class Meta:
        model = GroupProposal
        fields = [
            "id",
            "rfq",
            "group",
            "group_name",
            "coordinator",
            "status",
            "price",
            "tax",
            "total",
            "lead_time_days",
            "approach",
            "team_firm_ids",
            "submitted_at",
        ]
        read_only_fields = fields


class ProposalSubmitSerializer(serializers.Serializer):
    price = AmountField(
        min_value=0,
    )
    lead_time_days = serializers.IntegerField(min_value=0, max_value=3650)
    approach = serializers.CharField(max_length=20_000, required=False, allow_blank=True)
    team = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False)


class TriageRequirementsSerializer(serializers.Serializer):
    """The skills a request in triage needs, as the office corrected them: all of them."""

    requirements = RequirementSerializer(many=True, allow_empty=False)


class TriageInviteSerializer(serializers.Serializer):
    firms = serializers.ListField(
        # Firm ids are PostgreSQL bigints: a larger number names no firm.
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        allow_empty=False,
        max_length=50,
        help_text="Member firms of the request's network to invite (ids).",
    )
    reason = serializers.CharField(
        max_length=1000, help_text="Why the office invites them: kept on each invitation."
    )


class TriageCloseSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=1000, help_text="The office's decision, told to the customer."
    )


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class WithdrawSerializer(serializers.Serializer):
    note = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Why, in the customer's words (optional); the reason is kept as a code.",
    )


class MessageSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    new = serializers.BooleanField(
        source="is_new", read_only=True, help_text="Written by someone else since the caller read."
    )

    class Meta:
        model = Message
        fields = ["id", "audience", "author", "body", "at", "new"]
        read_only_fields = fields

    def get_author(self, message) -> str | None:
        rfq = self.context["rfq"]
        return access.person_as_read(
            self.context["request"].user,
            message.author,
            network_id=rfq.network_id,
            customer_id=rfq.customer_id,
        )


class ThreadQuerySerializer(serializers.Serializer):
    audience = serializers.ChoiceField(choices=list(REQUEST_THREADS), required=False)


class MessageWriteSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=20_000)
    audience = serializers.ChoiceField(choices=["customer", "internal"], default="internal")


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "link", "created_at", "read_at"]
        read_only_fields = fields


class EstimateSuggestionSerializer(serializers.Serializer):
    firm = serializers.IntegerField()
    firm_name = serializers.CharField()
    role = serializers.CharField()
    work_package = serializers.CharField()
    share = serializers.IntegerField()


class AnswerSuggestionSerializer(serializers.Serializer):
    firm = serializers.IntegerField()
    firm_name = serializers.CharField()
    price = serializers.IntegerField(allow_null=True)
    lead_time_days = serializers.IntegerField(allow_null=True)
    note = serializers.CharField()


class TeamProposalSerializer(serializers.Serializer):
    firms = serializers.ListField(child=serializers.IntegerField())
    assignments = serializers.DictField(child=serializers.IntegerField())
    reason = serializers.DictField(help_text=REASON_HELP)
    explanation = serializers.SerializerMethodField(help_text=REASON_TEXT_HELP)

    def get_explanation(self, team) -> str:
        return reason_text(team["reason"], self.context.setdefault("names", Names()))


class TeamSuggestionsSerializer(serializers.Serializer):
    from_estimate = EstimateSuggestionSerializer(many=True)
    answers = AnswerSuggestionSerializer(many=True)
    teams = TeamProposalSerializer(many=True)


class FollowOnSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=20_000)
    kind = serializers.ChoiceField(choices=RFQ.Kind.choices, default=RFQ.Kind.PRODUCTION)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY, default=1)
    requirements = RequirementSerializer(
        many=True,
        required=False,
        default=list,
        help_text="Leave out to ask for what the original request asked for.",
    )
    desired_date = BoundedDateField(required=False, allow_null=True, default=None)
    budget_max = AmountField(min_value=0, required=False, allow_null=True, default=None)
    confidential = serializers.BooleanField(default=False)


class FollowOnCreatedSerializer(serializers.Serializer):
    rfq = serializers.IntegerField()
    status = serializers.CharField()
    follow_on_of = serializers.IntegerField()
    estimate_due_at = BoundedDateTimeField(allow_null=True)
