"""What the orders, money and payout API reads and writes; amounts are integer yen.

Serializers that show an order take the caller's role from the context (`role`, or ask
core.access, whose viewer is read once per request) and leave out what that role may
not see: a member firm never sees the order's price or another firm's share.
"""

import datetime

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core import access
from core.access import MONEY_ROLES
from core.bounds import MAX_QUANTITY, AmountField, BoundedDateField, BoundedDateTimeField
from members.models import Network
from orders.models import (
    ORDER_THREADS,
    Allocation,
    BankAccount,
    Delivery,
    Event,
    FaultClaim,
    InspectionDocument,
    Invoice,
    LedgerEntry,
    Message,
    MessageAttachment,
    Order,
    Payment,
    PayoutBatch,
    PayoutLine,
    Rating,
    Refund,
    TeamMember,
)
from orders.money import BASIS_POINTS
from orders.performance import rating_changeable_until


def enum_field(component: str, **kwargs) -> serializers.CharField:
    """Return a read-only text field documented by the schema's existing enum `component`.

    drf-spectacular names an enum after the one component that uses it; a second
    component with the same choices would make the name ambiguous, so the second one
    points at the first one's enum instead.
    """
    field = serializers.CharField(read_only=True, **kwargs)
    return extend_schema_field({"$ref": f"#/components/schemas/{component}"})(field)


def role_in(context: dict, order: Order) -> str:
    """Return the caller's role towards `order` (no query per order)."""
    if "role" in context:
        return context["role"]
    return access.order_role(context["request"].user, order)


class MoneySummarySerializer(serializers.Serializer):
    currency = serializers.CharField()
    total = serializers.IntegerField()
    paid = serializers.IntegerField()
    refunded = serializers.IntegerField()
    owed = serializers.IntegerField()
    damages_held = serializers.IntegerField()


class TeamPartSerializer(serializers.ModelSerializer):
    """A firm's whole part: its terms, its progress and its confirmation."""

    firm_name = serializers.CharField(source="firm.name", read_only=True)
    role = enum_field("TeamMemberWriteRoleEnum")
    phase = serializers.ChoiceField(
        choices=TeamMember.Phase.choices,
        allow_blank=True,
        read_only=True,
        help_text="The consultation phase the part belongs to; blank outside consultations.",
    )
    share = serializers.IntegerField(source="share_bps", read_only=True, allow_null=True)

    class Meta:
        model = TeamMember
        fields = [
            "id",
            "firm",
            "firm_name",
            "role",
            "work_package",
            "phase",
            "quantity",
            "share",
            "amount",
            "state",
            "planned_start",
            "planned_finish",
            "started_on",
            "finished_on",
            "confirmation",
            "confirmed_at",
            "decline_reason",
        ]
        read_only_fields = fields


class SchedulePartSerializer(serializers.ModelSerializer):
    """A work package on the team's schedule: who does what when, never for how much."""

    firm = serializers.SerializerMethodField()
    firm_name = serializers.SerializerMethodField()
    state = enum_field("TeamPartStateEnum")
    phase = serializers.ChoiceField(
        choices=TeamMember.Phase.choices,
        allow_blank=True,
        read_only=True,
        help_text="The consultation phase the part belongs to; blank outside consultations.",
    )

    class Meta:
        model = TeamMember
        fields = [
            "id",
            "firm",
            "firm_name",
            "work_package",
            "phase",
            "quantity",
            "state",
            "planned_start",
            "planned_finish",
            "started_on",
            "finished_on",
        ]
        read_only_fields = fields

    def _shows_firms(self) -> bool:
        # The customer deals with the network, not with the firms behind it.
        return self.context.get("role") != "customer"

    def get_firm(self, part) -> int | None:
        return part.firm_id if self._shows_firms() else None

    def get_firm_name(self, part) -> str | None:
        return part.firm.name if self._shows_firms() else None


class OrderSerializer(serializers.ModelSerializer):
    """An order in a list: what it is, where it stands, and the price for those who may."""

    network = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    title = serializers.CharField(source="rfq.title", read_only=True)
    leader_firm_name = serializers.CharField(source="leader_firm.name", read_only=True)
    your_role = serializers.SerializerMethodField()
    subtotal = serializers.SerializerMethodField()
    tax = serializers.SerializerMethodField()
    total = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = [
            "id",
            "network",
            "rfq",
            "title",
            "status",
            "your_role",
            "leader_firm",
            "leader_firm_name",
            "currency",
            "subtotal",
            "tax",
            "total",
            "follow_on_of",
            "created_at",
            "delivered_at",
            "completed_at",
        ]
        read_only_fields = fields

    def get_your_role(self, order) -> str:
        return role_in(self.context, order)

    def _money(self, order, value: int) -> int | None:
        return value if role_in(self.context, order) in MONEY_ROLES else None

    def get_subtotal(self, order) -> int | None:
        return self._money(order, order.subtotal)

    def get_tax(self, order) -> int | None:
        return self._money(order, order.tax)

    def get_total(self, order) -> int | None:
        return self._money(order, order.total)


class OrderDetailSerializer(OrderSerializer):
    """One order: its team as the caller may see it, the schedule, money and follow-ons."""

    status = enum_field("OrderStatusEnum")
    team = serializers.SerializerMethodField()
    schedule = serializers.SerializerMethodField()
    money = serializers.SerializerMethodField()
    follow_ons = serializers.SerializerMethodField()

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "team", "schedule", "money", "follow_ons"]
        read_only_fields = fields

    def get_team(self, order) -> list[dict]:
        return TeamPartSerializer(self.context["team"], many=True).data

    def get_schedule(self, order) -> list[dict]:
        return SchedulePartSerializer(
            self.context["schedule"], many=True, context={"role": role_in(self.context, order)}
        ).data

    @extend_schema_field(MoneySummarySerializer(allow_null=True))
    def get_money(self, order) -> dict | None:
        return self.context.get("money")

    def get_follow_ons(self, order) -> list[int]:
        return self.context.get("follow_ons", [])


class TeamMemberWriteSerializer(serializers.Serializer):
    firm = serializers.IntegerField(min_value=1)
    role = serializers.ChoiceField(choices=TeamMember.Role.choices, default=TeamMember.Role.MEMBER)
    work_package = serializers.CharField(max_length=200)
    share = serializers.IntegerField(
        min_value=0,
        max_value=BASIS_POINTS,
        required=False,
        allow_null=True,
        default=None,
        help_text="Basis points of each payment after the office fee; all shares sum to 10,000.",
    )
    amount = AmountField(
        min_value=0,
        required=False,
        allow_null=True,
        default=None,
        help_text="A fixed amount instead of a share; all amounts sum to the total less the fee.",
    )
    phase = serializers.ChoiceField(
        choices=TeamMember.Phase.choices, required=False, allow_blank=True, default=""
    )
    quantity = serializers.IntegerField(
        min_value=1, max_value=MAX_QUANTITY, required=False, allow_null=True, default=None
    )
    planned_start = BoundedDateField(required=False, allow_null=True, default=None)
    planned_finish = BoundedDateField(required=False, allow_null=True, default=None)

    def validate(self, attrs):
        if (attrs["share"] is None) == (attrs["amount"] is None):
            raise serializers.ValidationError(
                {"share": "Give either a share (basis points) or a fixed amount."}
            )
        return attrs


class TeamWriteSerializer(serializers.Serializer):
    members = TeamMemberWriteSerializer(many=True, allow_empty=False)


class OrderTeamSerializer(serializers.Serializer):
    members = TeamPartSerializer(many=True)
    schedule = SchedulePartSerializer(many=True)
    weights = serializers.ChoiceField(choices=["share", "amount"], allow_null=True)
    office_fee = serializers.IntegerField(allow_null=True, help_text="Of the order's total.")
    distributable = serializers.IntegerField(
        allow_null=True, help_text="What fixed amounts must sum to: the total less the fee."
    )


class TeamAnswerSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class WorkPackageUpdateSerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=[TeamMember.State.IN_PROGRESS, TeamMember.State.DONE], required=False
    )
    on = BoundedDateField(required=False, help_text="The day it started or finished.")
    planned_start = BoundedDateField(required=False)
    planned_finish = BoundedDateField(required=False)


class InspectionDocumentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = InspectionDocument
        fields = ["id", "original_name", "content_type", "size", "uploaded_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, document) -> str:
        return (
            f"/api/orders/{document.delivery.order_id}/deliveries/{document.delivery_id}"
            f"/documents/{document.pk}/download/"
        )


class DeliverySerializer(serializers.ModelSerializer):
    firm_name = serializers.CharField(source="firm.name", read_only=True, allow_null=True)
    documents = InspectionDocumentSerializer(many=True, read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "order",
            "firm",
            "firm_name",
            "description",
            "quantity",
            "is_final",
            "shipped_at",
            "received_at",
            "documents",
        ]
        read_only_fields = fields


class DeliveryCreateSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=300)
    quantity = serializers.IntegerField(
        min_value=1, max_value=MAX_QUANTITY, required=False, allow_null=True, default=None
    )
    final = serializers.BooleanField(
        default=False, help_text="The last delivery: its receipt delivers the order."
    )


class InvoiceLineSerializer(serializers.Serializer):
    description = serializers.CharField()
    work_package = serializers.CharField(allow_blank=True)
    amount = serializers.IntegerField()
    tax_rate_bps = serializers.IntegerField()


class InvoiceSerializer(serializers.ModelSerializer):
    lines = InvoiceLineSerializer(many=True, read_only=True)
    qualified = serializers.BooleanField(source="is_qualified", read_only=True)

    class Meta:
        model = Invoice
        fields = [
            "id",
            "order",
            "number",
            "issued_at",
            "due_on",
            "issuer_name",
            "issuer_address",
            "registration_number",
            "qualified",
            "customer_name",
            "currency",
            "lines",
            "subtotal",
            "tax_rate_bps",
            "tax",
            "total",
        ]
        read_only_fields = fields


class PaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = [
            "id",
            "order",
            "amount",
            "currency",
            "method",
            "received_at",
            "provider",
            "reference",
            "fee_bps",
            "note",
            "recorded_at",
        ]
        read_only_fields = fields


class PaymentCreateSerializer(serializers.Serializer):
    amount = AmountField(
        min_value=1,
    )
    method = serializers.ChoiceField(
        choices=Payment.Method.choices, default=Payment.Method.BANK_TRANSFER
    )
    received_at = BoundedDateTimeField(
        past_only=True,
        required=False,
        allow_null=True,
        default=None,
        help_text="When the transfer arrived.",
    )
    reference = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    card_token = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="For card payments: the token from the payment form.",
    )

    def validate(self, attrs):
        if attrs["method"] == Payment.Method.BANK_TRANSFER and attrs["received_at"] is None:
            raise serializers.ValidationError(
                {"received_at": "Give the day and time the transfer arrived."}
            )
        if attrs["method"] == Payment.Method.CARD and not attrs["card_token"]:
            raise serializers.ValidationError({"card_token": "A card payment needs its token."})
        return attrs


class AllocationSerializer(serializers.ModelSerializer):
    firm_name = serializers.CharField(source="firm.name", read_only=True, allow_null=True)

    class Meta:
        model = Allocation
        fields = [
            "id",
            "payment",
            "refund",
            "party",
            "firm",
            "firm_name",
            "amount",
            "fee_withheld",
            "currency",
            "created_at",
        ]
        read_only_fields = fields


class FaultClaimSerializer(serializers.ModelSerializer):
    firm_name = serializers.CharField(source="firm.name", read_only=True)

    class Meta:
        model = FaultClaim
        fields = [
            "id",
            "order",
            "firm",
            "firm_name",
            "amount",
            "currency",
            "description",
            "claimed_at",
        ]
        read_only_fields = fields


class FaultClaimCreateSerializer(serializers.Serializer):
    firm = serializers.IntegerField(min_value=1, help_text="The responsible team member.")
    amount = AmountField(
        min_value=1,
    )
    description = serializers.CharField(max_length=20_000)


class RefundSerializer(serializers.ModelSerializer):
    class Meta:
        model = Refund
        fields = ["id", "order", "amount", "currency", "source", "reason", "recorded_at"]
        read_only_fields = fields


class RefundCreateSerializer(serializers.Serializer):
    amount = AmountField(
        min_value=1,
    )
    reason = serializers.CharField(max_length=2000)
    source = serializers.ChoiceField(
        choices=Refund.Source.choices, default=Refund.Source.ALLOCATIONS
    )


class OrderEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    data = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = ["id", "at", "actor", "kind", "data"]
        read_only_fields = fields

    def get_actor(self, event) -> str | None:
        order = self.context["order"]
        return access.event_actor(
            self.context["request"].user,
            event,
            network_id=order.network_id,
            customer_id=order.customer_id,
        )

    def get_data(self, event) -> dict:
        return access.order_event_data(self.context["role"], event.data)


class LedgerEntrySerializer(serializers.ModelSerializer):
    posting_kind = serializers.CharField(source="posting.kind", read_only=True)
    reference = serializers.CharField(source="posting.reference", read_only=True)
    at = BoundedDateTimeField(source="posting.created_at", read_only=True)

    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "posting",
            "posting_kind",
            "reference",
            "at",
            "account",
            "side",
            "amount",
            "currency",
            "order",
            "firm",
        ]
        read_only_fields = fields


class StatementOrderSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    title = serializers.CharField()
    gross = serializers.IntegerField(help_text="The firm's part before the office fee.")
    fees = serializers.IntegerField(help_text="The office fee attributed to the firm's part.")
    earned = serializers.IntegerField(help_text="Gross less fees, after any refunds.")
    deductions = serializers.IntegerField(help_text="Fault damages charged to the firm.")


class StatementPayoutSerializer(serializers.Serializer):
    batch = serializers.IntegerField()
    transfer_date = BoundedDateField()
    amount = serializers.IntegerField()


class StatementSerializer(serializers.Serializer):
    network = serializers.CharField()
    firm = serializers.IntegerField()
    firm_name = serializers.CharField()
    currency = serializers.CharField()
    gross = serializers.IntegerField()
    fees = serializers.IntegerField()
    earned = serializers.IntegerField()
    deductions = serializers.IntegerField()
    paid_out = serializers.IntegerField()
    balance = serializers.IntegerField(
        help_text="Still owed to the firm (earned - deductions - paid out); negative: a debt."
    )
    orders = StatementOrderSerializer(many=True)
    payouts = StatementPayoutSerializer(many=True)


class PayoutLineSerializer(serializers.ModelSerializer):
    firm_name = serializers.CharField(source="firm.name", read_only=True)

    class Meta:
        model = PayoutLine
        fields = [
            "id",
            "firm",
            "firm_name",
            "amount",
            "bank_code",
            "bank_name_kana",
            "branch_code",
            "branch_name_kana",
            "account_type",
            "account_number",
            "holder_kana",
        ]
        read_only_fields = fields


class SkippedPayeeSerializer(serializers.Serializer):
    firm = serializers.IntegerField()
    firm_name = serializers.CharField()
    amount = serializers.IntegerField()
    reason = serializers.CharField(
        help_text="Why the firm is left out: 'held' while its bank account change cools, "
        "or why else it cannot be paid; the amount stays owed either way."
    )
    changed_at = serializers.DateTimeField(
        read_only=True, help_text="When held: when the firm's bank account changed."
    )
    held_until = serializers.DateTimeField(
        read_only=True, help_text="When held: until when its payouts wait."
    )


class PayoutBatchSerializer(serializers.ModelSerializer):
    network = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    lines = PayoutLineSerializer(many=True, read_only=True)
    skipped = SkippedPayeeSerializer(many=True, read_only=True)

    class Meta:
        model = PayoutBatch
        fields = [
            "id",
            "network",
            "status",
            "transfer_date",
            "currency",
            "total",
            "line_count",
            "lines",
            "skipped",
            "created_at",
            "closed_at",
        ]
        read_only_fields = fields


class PayoutBatchCreateSerializer(serializers.Serializer):
    network = serializers.SlugRelatedField(slug_field="slug", queryset=Network.objects.all())
    transfer_date = BoundedDateField()


class BankAccountSerializer(serializers.ModelSerializer):
    class Meta:
        model = BankAccount
        fields = [
            "bank_code",
            "bank_name_kana",
            "branch_code",
            "branch_name_kana",
            "account_type",
            "account_number",
            "holder_kana",
            "requester_code",
            "updated_at",
        ]
        # The bank's and branch's names come from the Zengin bank code data.
        read_only_fields = ["updated_at", "bank_name_kana", "branch_name_kana"]
        extra_kwargs = {
            # The holder's name is converted to the banks' half-width kana by the service,
            # so the input may be full-width katakana or hiragana; the service refuses
            # what cannot be converted.
            "holder_kana": {"validators": [], "max_length": 80},
        }


class FileUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


# --- The order's threads ------------------------------------------------------------------


class MessageAttachmentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = MessageAttachment
        fields = ["id", "original_name", "content_type", "size", "download_url"]
        read_only_fields = fields

    def get_download_url(self, attachment) -> str:
        return (
            f"/api/orders/{self.context['order'].pk}/messages/{attachment.message_id}"
            f"/attachments/{attachment.pk}/download/"
        )


class OrderMessageSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    new = serializers.BooleanField(
        source="is_new",
        read_only=True,
        default=False,
        help_text="Written by someone else since the caller read.",
    )
    attachments = MessageAttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Message
        fields = ["id", "audience", "author", "body", "at", "new", "attachments"]
        read_only_fields = fields

    def get_author(self, message) -> str | None:
        order = self.context["order"]
        return access.person_as_read(
            self.context["request"].user,
            message.author,
            network_id=order.network_id,
            customer_id=order.customer_id,
        )


class OrderThreadQuerySerializer(serializers.Serializer):
    audience = serializers.ChoiceField(choices=list(ORDER_THREADS), required=False)


class OrderMessageWriteSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=20_000, required=False, allow_blank=True, default="")
    audience = serializers.ChoiceField(
        choices=list(ORDER_THREADS),
        default=Message.Audience.TEAM,
        help_text="`order_customer`: with the customer; `team`: the team and the office.",
    )
    files = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        max_length=10,
        help_text="Drawings, photos or inspection sheets (multipart only).",
    )

    def validate(self, attrs):
        if not attrs["body"].strip() and not attrs["files"]:
            raise serializers.ValidationError({"body": [_("Write a message or attach a file.")]})
        return attrs


class ThreadsReadSerializer(serializers.Serializer):
    read_up_to = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="The newest message read on each of the order's threads.",
    )


SCORE_ERRORS = {
    "min_value": _("Rate from 1 to 5."),
    "max_value": _("Rate from 1 to 5."),
    "invalid": _("Rate from 1 to 5."),
    "required": _("Give a score from 1 to 5."),
    "null": _("Give a score from 1 to 5."),
}


class RatingSerializer(serializers.ModelSerializer):
    """The customer's rating of an order, and until when they may change it."""

    changeable_until = serializers.SerializerMethodField()

    class Meta:
        model = Rating
        fields = [
            "order",
            "quality",
            "delivery",
            "communication",
            "comment",
            "created_at",
            "updated_at",
            "changeable_until",
        ]
        read_only_fields = fields

    def get_changeable_until(self, rating) -> datetime.datetime:
        return rating_changeable_until(rating)


class RatingInputSerializer(serializers.Serializer):
    quality = serializers.IntegerField(min_value=1, max_value=5, error_messages=SCORE_ERRORS)
    delivery = serializers.IntegerField(min_value=1, max_value=5, error_messages=SCORE_ERRORS)
    communication = serializers.IntegerField(min_value=1, max_value=5, error_messages=SCORE_ERRORS)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class FirmPerformanceSerializer(serializers.Serializer):
    """A firm's on-time delivery rate and its customers' average ratings."""

    firm = serializers.IntegerField(source="firm_id")
    delivered = serializers.IntegerField(
        help_text="Work packages finished that had a planned finish date."
    )
    on_time = serializers.IntegerField(help_text="Of those, finished by their planned date.")
    on_time_rate = serializers.FloatField(
        allow_null=True, help_text="on_time / delivered, 0 to 1; null when none was delivered."
    )
    rated_orders = serializers.IntegerField()
    average_rating = serializers.FloatField(allow_null=True)
    average_quality = serializers.FloatField(allow_null=True)
    average_delivery = serializers.FloatField(allow_null=True)
    average_communication = serializers.FloatField(allow_null=True)
