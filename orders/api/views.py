"""The orders API: team, production, deliveries, invoice, payments, faults, refunds, payouts.

Thin views: each validates its input, calls one service (which checks who may do it and
the order's state) and answers with what the caller may see (scoped by selectors).
"""

from django.http import FileResponse, Http404, HttpResponse
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core import access
from core.access import MONEY_ROLES, OFFICE_ROLES
from core.errors import NotAllowed
from core.idempotency import idempotency_key
from core.pagination import paginated
from core.parsers import FormParser, JSONParser, MultiPartParser
from members.models import Firm, Membership, Network
from orders.api import serializers as o
from orders.api.serializers import FileUploadSerializer
from orders.models import ORDER_THREADS, BankAccount, LedgerEntry, Order, PayoutBatch
from orders.performance import firm_performance_for_user, rating_for_order
from orders.selectors import (
    allocation_list_for_order,
    delivery_list_for_order,
    event_list_for_order,
    fault_claim_list_for_order,
    inspection_document_get,
    invoice_for_order,
    message_attachment_get,
    message_list_for_rfq,
    money_summary,
    newest_message_ids,
    order_get_for_user,
    order_list_for_user,
    payment_list_for_order,
    payout_batch_get_for_user,
    payout_batch_list_for_user,
    refund_list_for_order,
    statement_memberships,
    statements_for,
    team_and_schedule_for_order,
)
from orders.services import bank_accounts, deliveries, payments, payouts, ratings, teams
from orders.services.timeline import message_post, threads_mark_read

FILE_RESPONSE = {(200, "application/octet-stream"): OpenApiResponse(description="The file.")}


def attachment_response(stored) -> FileResponse:
    """Serve a privately stored file as a download, never to be run by the browser."""
    response = FileResponse(
        stored.file.open("rb"),
        as_attachment=True,
        filename=stored.original_name,
        content_type=stored.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def require_office_view(role: str, what: str) -> None:
    if role not in OFFICE_ROLES:
        raise NotAllowed(f"Only the network office sees {what}.")


class OrderScopedViewSet(viewsets.GenericViewSet):
    """Steps on one order the caller may see; an order they may not see is not found.

    The brokering steps on an order (team suggestions, follow-on requests) are viewsets of
    their own in brokerage, on this same base and under the same /api/orders/ prefix.
    """

    # Ids are integers: any other path segment is "not found", never a crash on int().
    lookup_value_regex = r"[0-9]+"

    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Order.objects.none()
        return order_list_for_user(self.request.user).order_by("-created_at", "-id")

    def get_object(self) -> Order:
        return order_get_for_user(self.request.user, int(self.kwargs["pk"]))

    def role(self, order: Order) -> str:
        return access.order_role(self.request.user, order)


@extend_schema(tags=["orders"])
@extend_schema_view(list=extend_schema(summary="List the orders the caller may see"))
class OrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrderScopedViewSet):
    """Orders: the customer's own, the office's network's, those the caller's firm works on."""

    serializer_class = o.OrderSerializer
    filterset_fields = ["status", "network__slug"]

    @extend_schema(responses=o.OrderDetailSerializer)
    def retrieve(self, request, pk=None):
        """Read one order, with its team and money as the caller may see them."""
        order = self.get_object()
        role = self.role(order)
        team, schedule = team_and_schedule_for_order(request.user, order)
        context = {
            **self.get_serializer_context(),
            "role": role,
            "team": team,
            "schedule": schedule,
            "money": money_summary(order) if role in MONEY_ROLES else None,
            "follow_ons": list(order.follow_ons.order_by("pk").values_list("pk", flat=True)),
        }
        return Response(o.OrderDetailSerializer(order, context=context).data)

    # --- Team ------------------------------------------------------------------------

    def team_body(self, order: Order) -> dict:
        role = self.role(order)
        members, schedule = team_and_schedule_for_order(self.request.user, order)
        weights = None
        if schedule:
            weights = "share" if schedule[0].share_bps is not None else "amount"
        fee = rest = None
        if role in (*OFFICE_ROLES, "leader"):
            fee, rest = teams.distributable(order)
        body = {
            "members": members,
            "schedule": schedule,
            "weights": weights,
            "office_fee": fee,
            "distributable": rest,
        }
        return o.OrderTeamSerializer(body, context={"role": role}).data

    @extend_schema(
        methods=["GET"],
        summary="Read an order's team and its schedule",
        responses=o.OrderTeamSerializer,
        operation_id="order_team",
    )
    @extend_schema(
        methods=["PUT"],
        summary="Set an order's team: members, work packages and shares",
        request=o.TeamWriteSerializer,
        responses=o.OrderTeamSerializer,
        operation_id="order_team_set",
    )
    @action(detail=True, methods=["get", "put"])
    def team(self, request, pk=None):
        order = self.get_object()
        if request.method == "PUT":
            form = o.TeamWriteSerializer(data=request.data)
            form.is_valid(raise_exception=True)
            teams.team_set(
                order_id=order.pk,
                user=request.user,
                members=[
                    teams.TeamMemberInput(
                        firm_id=member["firm"],
                        work_package=member["work_package"],
                        role=member["role"],
                        share_bps=member["share"],
                        amount=member["amount"],
                        phase=member["phase"],
                        quantity=member["quantity"],
                        planned_start=member["planned_start"],
                        planned_finish=member["planned_finish"],
                    )
                    for member in form.validated_data["members"]
                ],
            )
            order = self.get_object()
        return Response(self.team_body(order))

    @extend_schema(request=o.TeamAnswerSerializer, responses=o.TeamPartSerializer)
    @action(detail=True, methods=["post"], url_path="team/confirm")
    def team_confirm(self, request, pk=None):
        """Confirm the caller's firm's part of the team, or decline it with a reason."""
        order = self.get_object()
        form = o.TeamAnswerSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        part = teams.team_member_answer(order_id=order.pk, user=request.user, **form.validated_data)
        return Response(o.TeamPartSerializer(part).data)

    @extend_schema(request=o.WorkPackageUpdateSerializer, responses=o.SchedulePartSerializer)
    @action(detail=True, methods=["post"], url_path=r"work-packages/(?P<part_id>\d+)")
    def work_package(self, request, pk=None, part_id=None):
        """Move a work package to in progress or done on a date, or change its plan."""
        order = self.get_object()
        form = o.WorkPackageUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        part = teams.work_package_update(
            order_id=order.pk, part_id=int(part_id), user=request.user, **form.validated_data
        )
        return Response(o.SchedulePartSerializer(part, context={"role": self.role(order)}).data)

    # --- Deliveries ------------------------------------------------------------------

    @extend_schema(
        methods=["GET"],
        summary="List an order's deliveries",
        responses=o.DeliverySerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Record a delivery of an order",
        request=o.DeliveryCreateSerializer,
        responses={201: o.DeliverySerializer},
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def deliveries(self, request, pk=None):
        order = self.get_object()
        if request.method == "GET":
            return paginated(
                self, delivery_list_for_order(request.user, order), o.DeliverySerializer
            )
        form = o.DeliveryCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        delivery = deliveries.delivery_record(
            order_id=order.pk,
            user=request.user,
            description=form.validated_data["description"],
            quantity=form.validated_data["quantity"],
            is_final=form.validated_data["final"],
        )
        return Response(o.DeliverySerializer(delivery).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request={"multipart/form-data": FileUploadSerializer},
        responses={201: o.InspectionDocumentSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"deliveries/(?P<delivery_id>\d+)/documents",
        parser_classes=[MultiPartParser, FormParser],
    )
    def delivery_documents(self, request, pk=None, delivery_id=None):
        """Attach an inspection document (PDF, image, CAD) to a delivery."""
        order = self.get_object()
        form = FileUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        document = deliveries.inspection_document_attach(
            order_id=order.pk,
            delivery_id=int(delivery_id),
            user=request.user,
            uploaded=form.validated_data["file"],
        )
        return Response(
            o.InspectionDocumentSerializer(document).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(responses=FILE_RESPONSE)
    @action(
        detail=True,
        methods=["get"],
        url_path=r"deliveries/(?P<delivery_id>\d+)/documents/(?P<document_id>\d+)/download",
    )
    def delivery_document_download(self, request, pk=None, delivery_id=None, document_id=None):
        """Download an inspection document, if the caller may see its delivery."""
        order = self.get_object()
        document = inspection_document_get(request.user, order, int(document_id))
        if document.delivery_id != int(delivery_id):
            raise Http404("No such document.")
        return attachment_response(document)

    @extend_schema(request=None, responses=o.DeliverySerializer)
    @action(detail=True, methods=["post"], url_path=r"deliveries/(?P<delivery_id>\d+)/receive")
    def delivery_receive(self, request, pk=None, delivery_id=None):
        """The customer confirms receipt of a delivery."""
        order = self.get_object()
        delivery = deliveries.delivery_receive(
            order_id=order.pk, delivery_id=int(delivery_id), user=request.user
        )
        return Response(o.DeliverySerializer(delivery).data)

    # --- The customer's rating ---------------------------------------------------------

    @extend_schema(
        methods=["GET"],
        summary="Read the customer's rating of an order",
        responses={200: o.RatingSerializer, 404: OpenApiResponse(description="Not rated yet.")},
        operation_id="order_rating",
    )
    @extend_schema(
        methods=["POST"],
        summary="Rate a delivered order, or change the rating (its customer)",
        request=o.RatingInputSerializer,
        responses={
            200: o.RatingSerializer,
            400: OpenApiResponse(description="A score outside 1 to 5, or the comment too long."),
            409: OpenApiResponse(
                description="The order is not delivered yet, or the time to change is over."
            ),
        },
        operation_id="order_rate",
        description=(
            "Scores of quality, delivery and communication, 1 to 5 each, and a comment. "
            "Once per order: rating again within the change window changes the rating."
        ),
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def rating(self, request, pk=None):
        order = self.get_object()
        if request.method == "GET":
            rating = rating_for_order(order)
            if rating is None:
                raise Http404("This order is not rated yet.")
            return Response(o.RatingSerializer(rating).data)
        if not access.may_rate_order(request.user, order):
            raise NotAllowed("The customer who ordered rates the order.")
        form = o.RatingInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        rating = ratings.order_rate(order_id=order.pk, user=request.user, **form.validated_data)
        return Response(o.RatingSerializer(rating).data)

    # --- Money -----------------------------------------------------------------------

    @extend_schema(
        methods=["GET"],
        summary="Read the order's qualified invoice",
        responses=o.InvoiceSerializer,
        operation_id="order_invoice",
    )
    @extend_schema(
        methods=["POST"],
        summary="Issue the order's qualified invoice (office)",
        request=None,
        responses={201: o.InvoiceSerializer},
        operation_id="order_invoice_issue",
    )
    @action(detail=True, methods=["get", "post"])
    def invoice(self, request, pk=None):
        """The order's qualified invoice: read it, or (office) issue it."""
        order = self.get_object()
        if request.method == "POST":
            invoice = payments.invoice_issue(order_id=order.pk, user=request.user)
            return Response(o.InvoiceSerializer(invoice).data, status=status.HTTP_201_CREATED)
        invoice = invoice_for_order(request.user, order)
        if invoice is None:
            raise Http404("No invoice has been issued for this order yet.")
        return Response(o.InvoiceSerializer(invoice).data)

    @extend_schema(
        methods=["GET"],
        summary="List the customer's payments for an order",
        responses=o.PaymentSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Record a payment (office) or pay by card (customer)",
        request=o.PaymentCreateSerializer,
        responses={201: o.PaymentSerializer},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="Any unique string per payment (up to 64 characters): retrying "
                "with the same key and body returns the first payment (a card is never charged "
                "twice); the same key with another body is refused with 409.",
            )
        ],
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def payments(self, request, pk=None):
        """The customer's payments; the office records one (and a customer may pay by card)."""
        order = self.get_object()
        if request.method == "GET":
            return paginated(self, payment_list_for_order(request.user, order), o.PaymentSerializer)
        form = o.PaymentCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        payment = payments.payment_record(
            order_id=order.pk,
            user=request.user,
            idempotency_key=idempotency_key(request),
            **form.validated_data,
        )
        return Response(o.PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=o.AllocationSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[])
    def allocations(self, request, pk=None):
        """How each payment was split (and each refund reversed): the office's view."""
        order = self.get_object()
        require_office_view(self.role(order), "how payments are split")
        return paginated(self, allocation_list_for_order(order), o.AllocationSerializer)

    @extend_schema(
        methods=["GET"],
        summary="List the fault claims of an order",
        responses=o.FaultClaimSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Charge damages to the team member responsible for a fault",
        request=o.FaultClaimCreateSerializer,
        responses={201: o.FaultClaimSerializer},
    )
    @action(detail=True, methods=["get", "post"], url_path="fault-claims", filter_backends=[])
    def fault_claims(self, request, pk=None):
        """Damages charged to the team member responsible for a fault."""
        order = self.get_object()
        if request.method == "GET":
            return paginated(
                self, fault_claim_list_for_order(request.user, order), o.FaultClaimSerializer
            )
        form = o.FaultClaimCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        claim = payments.fault_claim_record(
            order_id=order.pk,
            user=request.user,
            firm_id=form.validated_data["firm"],
            amount=form.validated_data["amount"],
            description=form.validated_data["description"],
        )
        return Response(o.FaultClaimSerializer(claim).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        summary="List the refunds of an order",
        responses=o.RefundSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Refund the customer, reversing the allocations proportionally",
        request=o.RefundCreateSerializer,
        responses={201: o.RefundSerializer},
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def refunds(self, request, pk=None):
        """Refunds to the customer, reversing the allocations proportionally."""
        order = self.get_object()
        if request.method == "GET":
            return paginated(self, refund_list_for_order(request.user, order), o.RefundSerializer)
        form = o.RefundCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        refund = payments.refund_issue(order_id=order.pk, user=request.user, **form.validated_data)
        return Response(o.RefundSerializer(refund).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=o.LedgerEntrySerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[])
    def ledger(self, request, pk=None):
        """The order's ledger lines, posting by posting: the office's audit view."""
        order = self.get_object()
        require_office_view(self.role(order), "the ledger")
        entries = (
            LedgerEntry.objects.filter(posting__order=order)
            .select_related("posting")
            .order_by("posting_id", "id")
        )
        return paginated(self, entries, o.LedgerEntrySerializer)

    # --- Threads -----------------------------------------------------------------------

    @extend_schema(
        methods=["GET"],
        summary="List the messages of the order's threads the caller may read",
        parameters=[
            OpenApiParameter(
                "audience", str, enum=list(ORDER_THREADS), description="One thread only."
            )
        ],
        responses=o.OrderMessageSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Post a message, with files, to one of the order's threads",
        request={
            "multipart/form-data": o.OrderMessageWriteSerializer,
            "application/json": o.OrderMessageWriteSerializer,
        },
        responses={201: o.OrderMessageSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        filter_backends=[],
        parser_classes=[JSONParser, MultiPartParser, FormParser],
    )
    def messages(self, request, pk=None):
        """Read the order's threads, or post on one: the customer's, or the team's."""
        order = self.get_object()
        if request.method == "GET":
            thread = o.OrderThreadQuerySerializer(data=request.query_params)
            thread.is_valid(raise_exception=True)
            audience = thread.validated_data.get("audience")
            audiences = [audience] if audience else ORDER_THREADS
            messages = message_list_for_rfq(request.user, order.rfq, audiences)
            return paginated(self, messages, o.OrderMessageSerializer, order=order)
        form = o.OrderMessageWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        audience = form.validated_data["audience"]
        if not access.may_write_order_thread(request.user, order, audience):
            raise NotAllowed(
                "The customer writes with the project leader and the office; the team's "
                "firms write on the team's thread."
            )
        message = message_post(
            rfq=order.rfq,
            author=request.user,
            body=form.validated_data["body"],
            audience=audience,
            attachments=form.validated_data["files"],
        )
        context = {**self.get_serializer_context(), "order": order}
        return Response(
            o.OrderMessageSerializer(message, context=context).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses=o.ThreadsReadSerializer)
    @action(detail=True, methods=["post"], url_path="messages/read")
    def messages_read(self, request, pk=None):
        """Mark the order's threads read, up to the newest message the caller may read."""
        order = self.get_object()
        newest = newest_message_ids(request.user, order.rfq, ORDER_THREADS)
        threads_mark_read(user=request.user, rfq=order.rfq, read_up_to=newest)
        return Response(o.ThreadsReadSerializer({"read_up_to": newest}).data)

    @extend_schema(responses=FILE_RESPONSE)
    @action(
        detail=True,
        methods=["get"],
        url_path=r"messages/(?P<message_id>\d+)/attachments/(?P<attachment_id>\d+)/download",
    )
    def message_attachment_download(self, request, pk=None, message_id=None, attachment_id=None):
        """Download a file sent on the order's threads, if the caller may read its message."""
        order = self.get_object()
        attachment = message_attachment_get(
            request.user, order, int(message_id), int(attachment_id)
        )
        return attachment_response(attachment)

    @extend_schema(responses=o.OrderEventSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[])
    def events(self, request, pk=None):
        """The order's timeline as the caller may see it."""
        order = self.get_object()
        return paginated(
            self,
            event_list_for_order(request.user, order),
            o.OrderEventSerializer,
            role=self.role(order),
            order=order,
        )


class StatementQuerySerializer(serializers.Serializer):
    network = serializers.SlugField(required=False)
    firm = serializers.IntegerField(min_value=1, required=False)


@extend_schema(tags=["statements"])
class StatementViewSet(viewsets.GenericViewSet):
    """What each member firm earned, from which orders, less fees and damages, and was paid."""

    permission_classes = [IsAuthenticated]
    serializer_class = o.StatementSerializer
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        return statement_memberships(self.request.user)

    @extend_schema(
        parameters=[
            OpenApiParameter("network", str, description="A network's slug."),
            OpenApiParameter("firm", int, description="A firm's id."),
        ],
        responses=o.StatementSerializer(many=True),
    )
    def list(self, request):
        """List what each firm is owed and was paid."""
        query = StatementQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        memberships = statement_memberships(
            request.user,
            network_slug=query.validated_data.get("network"),
            firm_id=query.validated_data.get("firm"),
        )
        page = self.paginate_queryset(memberships)
        return self.get_paginated_response(
            o.StatementSerializer(statements_for(list(page)), many=True).data
        )


@extend_schema(tags=["payouts"])
@extend_schema_view(
    list=extend_schema(summary="List the payout batches of the office's networks"),
    retrieve=extend_schema(summary="Read one payout batch and its lines"),
)
class PayoutBatchViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Payout batches of the caller's office's networks, and their transfer files."""

    # Ids are integers: any other path segment is "not found", never a crash on int().
    lookup_value_regex = r"[0-9]+"

    permission_classes = [IsAuthenticated]
    serializer_class = o.PayoutBatchSerializer
    filterset_fields = ["status", "network__slug"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PayoutBatch.objects.none()
        return payout_batch_list_for_user(self.request.user)

    def get_object(self) -> PayoutBatch:
        return payout_batch_get_for_user(self.request.user, int(self.kwargs["pk"]))

    @extend_schema(request=o.PayoutBatchCreateSerializer, responses={201: o.PayoutBatchSerializer})
    def create(self, request):
        """Open a draft batch: who would be paid what now."""
        form = o.PayoutBatchCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        batch = payouts.payout_batch_create(
            network_id=form.validated_data["network"].pk,
            user=request.user,
            transfer_date=form.validated_data["transfer_date"],
        )
        return Response(
            o.PayoutBatchSerializer(self.fresh(batch.pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request, pk=None):
        """Discard a draft batch; nothing was posted."""
        self.get_object()
        payouts.payout_batch_discard(batch_id=int(pk), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=o.PayoutBatchSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the batch: pay every member its balance now and post it to the ledger."""
        self.get_object()
        payouts.payout_batch_close(batch_id=int(pk), user=request.user)
        return Response(o.PayoutBatchSerializer(self.fresh(int(pk))).data)

    @extend_schema(
        responses={
            (200, "text/plain"): OpenApiResponse(
                description="The Zengin bulk-transfer file: 120-byte records in Shift_JIS."
            )
        }
    )
    @action(detail=True, methods=["get"])
    def zengin(self, request, pk=None):
        """Download the closed batch as a Zengin (全銀) bulk-transfer file for the bank."""
        batch = self.get_object()
        content = payouts.payout_batch_zengin(batch)
        return self.attachment(content, "text/plain; charset=Shift_JIS", batch, "txt")

    @extend_schema(
        responses={(200, "text/csv"): OpenApiResponse(description="The payout lines as CSV.")}
    )
    @action(detail=True, methods=["get"])
    def csv(self, request, pk=None):
        """Download the batch's lines as CSV (UTF-8 with BOM, for Excel)."""
        batch = self.get_object()
        return self.attachment(
            payouts.payout_batch_csv(batch), "text/csv; charset=utf-8", batch, "csv"
        )

    def attachment(self, content: bytes, content_type: str, batch, extension) -> HttpResponse:
        response = HttpResponse(content, content_type=content_type)
        name = f"payout-{batch.network.slug}-{batch.pk}-{batch.transfer_date:%Y%m%d}.{extension}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["X-Content-Type-Options"] = "nosniff"
        return response

    def fresh(self, batch_id: int) -> PayoutBatch:
        return payout_batch_get_for_user(self.request.user, batch_id)


def bank_account_input(data: dict) -> bank_accounts.BankAccountInput:
    return bank_accounts.BankAccountInput(**{key: value for key, value in data.items()})


@extend_schema(tags=["payouts"])
class FirmBankAccountView(APIView):
    """The account a member firm is paid to: written by its own people, read by its office.

    A network's office reads it only while the firm is an active member; to anyone else
    the firm is as absent as one that does not exist.
    """

    permission_classes = [IsAuthenticated]
    serializer_class = o.BankAccountSerializer

    def firm(self, firm_id: int) -> Firm:
        firm = Firm.objects.filter(pk=firm_id).first()
        if firm is None or not access.may_read_firm_bank_account(self.request.user, firm.pk):
            raise Http404("No such firm.")
        return firm

    @extend_schema(
        summary="Read the bank account a member firm is paid to",
        responses=o.BankAccountSerializer,
        operation_id="firm_bank_account",
    )
    def get(self, request, firm_id: int):
        account = BankAccount.objects.filter(firm=self.firm(firm_id)).first()
        if account is None:
            raise Http404("No bank account is registered for this firm yet.")
        return Response(o.BankAccountSerializer(account).data)

    @extend_schema(
        summary="Set the bank account a member firm is paid to",
        request=o.BankAccountSerializer,
        responses=o.BankAccountSerializer,
        operation_id="firm_bank_account_set",
        description=(
            "Only the firm's own people (and platform staff) set it. A change notifies every "
            "person of the firm and holds the firm's payouts for the cooling period."
        ),
    )
    def put(self, request, firm_id: int):
        firm = self.firm(firm_id)
        form = o.BankAccountSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        account = bank_accounts.bank_account_set(
            user=request.user, firm=firm, data=bank_account_input(form.validated_data)
        )
        return Response(o.BankAccountSerializer(account).data)


@extend_schema(tags=["payouts"])
class NetworkBankAccountView(APIView):
    """The account a network's office pays its members from, with its requester code."""

    permission_classes = [IsAuthenticated]
    serializer_class = o.BankAccountSerializer

    def network(self, slug: str) -> Network:
        network = Network.objects.filter(slug=slug).first()
        if network is None or not access.is_office(self.request.user, network):
            raise Http404("No such network.")
        return network

    @extend_schema(
        summary="Read the bank account a network pays its members from",
        responses=o.BankAccountSerializer,
        operation_id="network_bank_account",
    )
    def get(self, request, slug: str):
        account = BankAccount.objects.filter(network=self.network(slug)).first()
        if account is None:
            raise Http404("No bank account is registered for this network yet.")
        return Response(o.BankAccountSerializer(account).data)

    @extend_schema(
        summary="Set the bank account a network pays its members from",
        request=o.BankAccountSerializer,
        responses=o.BankAccountSerializer,
        operation_id="network_bank_account_set",
    )
    def put(self, request, slug: str):
        network = self.network(slug)
        form = o.BankAccountSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        account = bank_accounts.bank_account_set(
            user=request.user, network=network, data=bank_account_input(form.validated_data)
        )
        return Response(o.BankAccountSerializer(account).data)


@extend_schema(tags=["performance"])
class FirmPerformanceView(APIView):
    """A firm's delivery performance: for its own people, and its networks' offices."""

    permission_classes = [IsAuthenticated]
    serializer_class = o.FirmPerformanceSerializer

    @extend_schema(
        summary="Read a firm's on-time delivery rate and average rating",
        responses={
            200: o.FirmPerformanceSerializer,
            404: OpenApiResponse(description="No such firm, or not one whose figures you read."),
        },
        operation_id="firm_performance",
        description=(
            "The firm's own people read it over all its orders; a network's office over "
            "that network's orders, for its active members."
        ),
    )
    def get(self, request, firm_id: int):
        firm = Firm.objects.filter(pk=firm_id).first()
        if firm is None:
            raise Http404("No such firm.")
        performance = firm_performance_for_user(request.user, firm)
        return Response(o.FirmPerformanceSerializer(performance).data)
