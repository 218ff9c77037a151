"""The request workflow API: submit, route, answer, designate, estimate, accept."""

import dataclasses

from django.http import FileResponse, Http404
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from brokerage.api import serializers as s
from brokerage.models import GroupProposal
from brokerage.selectors import (
    board_for_rfq,
    estimate_get_for_user,
    estimate_list_for_rfq,
    event_list_for_rfq,
    invitation_list_for_firm,
    invitation_list_for_rfq,
    promise_deadlines_prefetch,
    proposal_list_for_rfq,
    rfq_get_for_user,
    rfq_list_for_user,
)
from brokerage.services import answers, consultation, designation, estimates, intake, triage
from brokerage.throttles import SubmissionThrottle
from capabilities.models import MIN_GRADE
from core import access
from core.errors import NotAllowed
from core.idempotency import idempotency_key
from core.pagination import CountedPagination, paginated
from core.parsers import FormParser, MultiPartParser
from members.selectors import notification_inbox
from orders.api.serializers import FileUploadSerializer
from orders.models import REQUEST_THREADS
from orders.preview_selectors import drawings_with_previews, preview_image_for
from orders.selectors import message_list_for_rfq, newest_message_ids, unread_message_count
from orders.services.drawings import drawing_attach
from orders.services.timeline import message_post, threads_mark_read


def requirement_inputs(requirements: list[dict]) -> tuple[intake.RequirementInput, ...]:
    return tuple(
        intake.RequirementInput(
            capability_code=item["capability"],
            # A PATCH is partial all the way down: a requirement's defaults are not filled in.
            min_grade=item.get("min_grade", MIN_GRADE),
            note=item.get("note", ""),
        )
        for item in requirements
    )


@extend_schema(tags=["requests"])
@extend_schema_view(
    list=extend_schema(summary="List the requests the caller may see"),
    retrieve=extend_schema(summary="Read one request, as far as the caller may see it"),
)
class RFQViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Requests for quotation: the customer's own, the office's network's, the firm's."""

    # Ids are integers: any other path segment is "not found", never a crash on int().
    lookup_value_regex = r"[0-9]+"

    permission_classes = [IsAuthenticated]
    serializer_class = s.RFQSerializer
    pagination_class = CountedPagination
    filterset_fields = ["status", "kind", "network__slug"]

    def get_queryset(self):
        return (
            rfq_list_for_user(self.request.user)
            .annotate(unread_messages=unread_message_count(self.request.user))
            .prefetch_related(
                "requirements__capability",
                "drawings__preview__images",
                promise_deadlines_prefetch(),
            )
            .order_by("-created_at", "-id")
        )

    def get_object(self):
        return rfq_get_for_user(self.request.user, int(self.kwargs["pk"]), unread_messages=True)

    def get_throttles(self):
        return [SubmissionThrottle()] if self.action == "create" else []

    @extend_schema(
        summary="Submit a request for quotation (or enter one for a customer)",
        request=s.RFQCreateSerializer,
        responses={201: s.RFQSubmittedSerializer},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="Any unique string per submission (up to 64 characters): "
                "retrying with the same key returns the first request instead of a new one.",
            )
        ],
    )
    def create(self, request, *args, **kwargs):
        form = s.RFQCreateSerializer(data=request.data, context={"request": request})
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        network = data.pop("network")
        customer, new_customer = data.pop("customer"), data.pop("new_customer")
        requirements = data.pop("requirements")
        if data.pop("draft"):
            return self.draft_create(network, customer, new_customer, requirements, data)
        submission = {
            "network": network,
            "idempotency_key": idempotency_key(request),
            "data": intake.RFQInput(requirements=requirement_inputs(requirements), **data),
        }
        if new_customer is not None:
            if not access.is_office(request.user, network):
                raise NotAllowed("Only the network's office enters requests for others.")
            customer = intake.NewCustomer(**new_customer)
        if customer is not None:
            rfq = intake.rfq_receive(customer=customer, entered_by=request.user, **submission)
        else:
            rfq = intake.rfq_receive(customer=request.user, **submission)
        answer = s.RFQSubmittedSerializer(
            {"rfq": rfq, "network": network, "requirements": requirements}
        ).data
        return Response(answer, status=status.HTTP_201_CREATED, headers={"Location": answer["url"]})

    def draft_create(self, network, customer, new_customer, requirements, data) -> Response:
        if new_customer is not None or (customer is not None and customer != self.request.user):
            raise NotAllowed("A draft is the customer's own: the office submits what it keys in.")
        rfq = intake.rfq_draft_save(
            network=network,
            customer=self.request.user,
            data=intake.RFQInput(requirements=requirement_inputs(requirements), **data),
        )
        answer = s.RFQSubmittedSerializer(
            {"rfq": rfq, "network": network, "requirements": requirements}
        ).data
        return Response(answer, status=status.HTTP_201_CREATED, headers={"Location": answer["url"]})

    @extend_schema(
        summary="Change the caller's draft (only the fields sent; requirements as a whole)",
        request=s.RFQDraftSerializer(partial=True),
        responses=s.RFQSerializer,
    )
    def partial_update(self, request, pk=None):
        rfq = self.get_object()
        form = s.RFQDraftSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        changes = dict(form.validated_data)
        if "requirements" in changes:
            changes["requirements"] = requirement_inputs(changes["requirements"])
        intake.rfq_draft_save(
            network=rfq.network,
            customer=request.user,
            rfq_id=rfq.pk,
            data=dataclasses.replace(intake.draft_input(rfq), **changes),
        )
        return self.fresh(rfq.pk)

    @extend_schema(summary="Delete the caller's draft", request=None, responses={204: None})
    def destroy(self, request, pk=None):
        rfq = self.get_object()
        intake.rfq_draft_delete(rfq_id=rfq.pk, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=s.RFQSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit the caller's completed draft: its estimate clock starts now."""
        rfq = self.get_object()
        intake.rfq_draft_submit(rfq_id=rfq.pk, user=request.user)
        return self.fresh(rfq.pk)

    @extend_schema(
        methods=["GET"],
        summary="List the drawings of a request",
        responses=s.DrawingSerializer(many=True),
        operation_id="rfq_attachments",
    )
    @extend_schema(
        methods=["POST"],
        summary="Attach a drawing to a request",
        request={"multipart/form-data": FileUploadSerializer},
        responses={201: s.DrawingSerializer},
        operation_id="rfq_attach",
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[MultiPartParser, FormParser],
    )
    def attachments(self, request, pk=None):
        rfq = self.get_object()
        if request.method == "GET":
            drawings = drawings_with_previews(rfq)
            if not access.rfq_details_visible(request.user, rfq):
                drawings = drawings.none()
            return paginated(self, drawings, s.DrawingSerializer)
        if not access.may_attach_drawing(request.user, rfq):
            raise NotAllowed("Only the customer (or the office for them) attaches drawings.")
        form = FileUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        drawing = drawing_attach(rfq=rfq, uploaded=form.validated_data["file"], user=request.user)
        return Response(s.DrawingSerializer(drawing).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={(200, "application/octet-stream"): OpenApiResponse(description="The file.")}
    )
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<drawing_id>\d+)/download")
    def download(self, request, pk=None, drawing_id=None):
        """Download one drawing of a request."""
        rfq = self.get_object()
        drawing = rfq.drawings.filter(pk=drawing_id).first()
        if drawing is None or not access.rfq_details_visible(request.user, rfq):
            raise Http404("No such drawing.")
        response = FileResponse(
            drawing.file.open("rb"),
            as_attachment=True,
            filename=drawing.original_name,
            content_type=drawing.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response

    @extend_schema(
        summary="Show one page of a drawing's preview",
        responses={
            (200, "image/png"): OpenApiResponse(description="The page as a PNG image."),
            404: OpenApiResponse(
                description="No such request, drawing or page for the caller, or no preview "
                "(yet): the drawing itself may still be downloaded."
            ),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"attachments/(?P<drawing_id>\d+)/preview/(?P<number>\d+)",
    )
    def preview(self, request, pk=None, drawing_id=None, number=None):
        """Show one page of a drawing's preview, to those who may download the drawing."""
        rfq = self.get_object()
        image = preview_image_for(request.user, rfq, int(drawing_id), int(number))
        response = FileResponse(image.image.open("rb"), content_type="image/png")
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, max-age=3600"
        return response

    @extend_schema(responses=s.InvitationSerializer(many=True))
    @action(detail=True, methods=["get"])
    def invitations(self, request, pk=None):
        """List the firms a request was routed to, and their answers."""
        rfq = self.get_object()
        return paginated(self, invitation_list_for_rfq(request.user, rfq), s.InvitationSerializer)

    @extend_schema(request=s.DecisionSerializer, responses=s.RFQSerializer)
    @action(detail=True, methods=["post"])
    def decision(self, request, pk=None):
        """Accept or refuse a request for the network (administrative board)."""
        rfq = self.get_object()
        form = s.DecisionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        answers.board_decide(rfq_id=rfq.pk, user=request.user, **form.validated_data)
        return self.fresh(rfq.pk)

    @extend_schema(
        summary="Read the administrative board's votes and tally",
        responses={
            200: s.BoardSerializer,
            403: OpenApiResponse(
                description="Not the office "
                "nor an administrative member, or the network has no board."
            ),
        },
    )
    @action(detail=True, methods=["get"])
    def board(self, request, pk=None):
        """Tell the office and the board how the vote stands against the network's rule."""
        rfq = self.get_object()
        tally, votes = board_for_rfq(request.user, rfq)
        outcome = {True: "accepted", False: "declined", None: None}[tally.outcome]
        body = {**vars(tally), "undecided": tally.undecided, "accepts_needed": tally.accepts_needed}
        return Response(s.BoardSerializer({**body, "outcome": outcome, "votes": votes}).data)

    @extend_schema(request=s.LeaderSerializer, responses=s.RFQSerializer)
    @action(detail=True, methods=["post"])
    def leader(self, request, pk=None):
        """Designate the firm that leads the estimate and the order."""
        rfq = self.get_object()
        form = s.LeaderSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        designation.leader_designate(
            rfq_id=rfq.pk,
            firm_id=form.validated_data["firm"],
            reason=form.validated_data["reason"],
            user=request.user,
        )
        return self.fresh(rfq.pk)

    @extend_schema(
        methods=["GET"],
        summary="List the estimates of a request",
        responses=s.EstimateSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Draft an estimate for a request",
        request=s.EstimateCreateSerializer,
        responses={201: s.EstimateSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def estimates(self, request, pk=None):
        rfq = self.get_object()
        if request.method == "GET":
            return paginated(self, estimate_list_for_rfq(request.user, rfq), s.EstimateSerializer)
        form = s.EstimateCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        estimate = estimates.estimate_create(
            rfq_id=rfq.pk,
            user=request.user,
            lines=[
                estimates.EstimateLineInput(
                    firm_id=line["firm"],
                    description=line["description"],
                    amount=line["amount"],
                    work_package=line.get("work_package", ""),
                )
                for line in form.validated_data["lines"]
            ],
            lead_time_days=form.validated_data["lead_time_days"],
            valid_until=form.validated_data["valid_until"],
        )
        return Response(s.EstimateSerializer(estimate).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=s.EventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def events(self, request, pk=None):
        """List the request's timeline as the caller may see it."""
        rfq = self.get_object()
        return paginated(
            self,
            event_list_for_rfq(request.user, rfq),
            s.EventSerializer,
            rfq=rfq,
        )

    @extend_schema(request=s.ScheduleSerializer, responses=s.RFQSerializer)
    @action(detail=True, methods=["post"])
    def interview(self, request, pk=None):
        """Schedule the consultation interview with the customer."""
        rfq = self.get_object()
        form = s.ScheduleSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        consultation.interview_schedule(rfq_id=rfq.pk, user=request.user, **form.validated_data)
        return self.fresh(rfq.pk)

    @extend_schema(request=s.InterviewNotesSerializer, responses=s.RFQSerializer)
    @action(detail=True, methods=["post"], url_path="interview/notes")
    def interview_notes(self, request, pk=None):
        """Record what the consultation interview found."""
        rfq = self.get_object()
        form = s.InterviewNotesSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        consultation.interview_record(rfq_id=rfq.pk, user=request.user, **form.validated_data)
        return self.fresh(rfq.pk)

    @extend_schema(request=s.ScheduleSerializer, responses=s.RFQSerializer)
    @action(detail=True, methods=["post"])
    def planning(self, request, pk=None):
        """Schedule the planning meeting of the firms chosen for a consultation."""
        rfq = self.get_object()
        form = s.ScheduleSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        consultation.planning_schedule(rfq_id=rfq.pk, user=request.user, **form.validated_data)
        return self.fresh(rfq.pk)

    @extend_schema(request=s.PhasesSerializer, responses=s.RFQSerializer)
    @action(detail=True, methods=["post"])
    def phases(self, request, pk=None):
        """Choose the firms for each phase of a consultation."""
        rfq = self.get_object()
        form = s.PhasesSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        consultation.phases_select(
            rfq_id=rfq.pk,
            user=request.user,
            firms_by_phase=form.validated_data["phases"],
            notes=form.validated_data["notes"],
        )
        return self.fresh(rfq.pk)

    @extend_schema(responses=s.ProposalSerializer(many=True))
    @action(detail=True, methods=["get"])
    def proposals(self, request, pk=None):
        """List the coordinator groups' proposals for a request."""
        rfq = self.get_object()
        return paginated(self, proposal_list_for_rfq(request.user, rfq), s.ProposalSerializer)

    @extend_schema(request=s.TriageRequirementsSerializer, responses=s.RFQSerializer)
    @action(detail=True, methods=["post"], url_path="triage/requirements")
    def triage_requirements(self, request, pk=None):
        """Correct the skills a request in triage needs, and route it again (office)."""
        rfq = self.get_object()
        form = s.TriageRequirementsSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        triage.rfq_triage_requirements(
            rfq_id=rfq.pk,
            requirements=[
                intake.RequirementInput(
                    capability_code=item["capability"],
                    min_grade=item["min_grade"],
                    note=item.get("note", ""),
                )
                for item in form.validated_data["requirements"]
            ],
            user=request.user,
        )
        return self.fresh(rfq.pk)

    @extend_schema(request=s.TriageInviteSerializer, responses=s.RFQSerializer)
    @action(detail=True, methods=["post"], url_path="triage/invite")
    def triage_invite(self, request, pk=None):
        """Invite member firms by hand to a request in triage, saying why (office)."""
        rfq = self.get_object()
        form = s.TriageInviteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        triage.rfq_triage_invite(
            rfq_id=rfq.pk,
            firm_ids=form.validated_data["firms"],
            note=form.validated_data["reason"],
            user=request.user,
        )
        return self.fresh(rfq.pk)

    @extend_schema(request=s.TriageCloseSerializer, responses=s.RFQSerializer)
    @action(detail=True, methods=["post"], url_path="triage/close")
    def triage_close(self, request, pk=None):
        """Close a request in triage as no bid, with the office's decision (office)."""
        rfq = self.get_object()
        form = s.TriageCloseSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        triage.rfq_triage_close(
            rfq_id=rfq.pk, note=form.validated_data["reason"], user=request.user
        )
        return self.fresh(rfq.pk)

    @extend_schema(request=s.CancelSerializer, responses=s.RFQSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel a request, with a reason."""
        rfq = self.get_object()
        form = s.CancelSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        designation.rfq_cancel(rfq_id=rfq.pk, user=request.user, **form.validated_data)
        return self.fresh(rfq.pk)

    @extend_schema(request=s.WithdrawSerializer, responses=s.RFQSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw the caller's request before an estimate is accepted (the customer)."""
        rfq = self.get_object()
        form = s.WithdrawSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        designation.rfq_withdraw(rfq_id=rfq.pk, user=request.user, **form.validated_data)
        return self.fresh(rfq.pk)

    @extend_schema(
        methods=["GET"],
        summary="List the messages of the request's threads the caller may read",
        parameters=[
            OpenApiParameter(
                "audience", str, enum=list(REQUEST_THREADS), description="One thread only."
            )
        ],
        responses=s.MessageSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Post a message to one of the request's threads",
        request=s.MessageWriteSerializer,
        responses={201: s.EventSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def messages(self, request, pk=None):
        """Read the request's threads, or post a message to one of them."""
        rfq = self.get_object()
        if request.method == "GET":
            thread = s.ThreadQuerySerializer(data=request.query_params)
            thread.is_valid(raise_exception=True)
            audience = thread.validated_data.get("audience")
            audiences = [audience] if audience else REQUEST_THREADS
            messages = message_list_for_rfq(request.user, rfq, audiences)
            return paginated(self, messages, s.MessageSerializer, rfq=rfq)
        form = s.MessageWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        audience = form.validated_data["audience"]
        if not access.may_write_thread(request.user, rfq, audience):
            raise NotAllowed(
                "The customer writes to the network; members write internally, and only "
                "the project leader (or the office) writes to the customer."
            )
        message = message_post(
            rfq=rfq, author=request.user, body=form.validated_data["body"], audience=audience
        )
        return Response(
            {"id": message.pk, "at": message.at, "audience": message.audience},
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses=s.RFQSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Mark the request's threads read, up to the newest message the caller may read."""
        rfq = self.get_object()
        threads_mark_read(
            user=request.user, rfq=rfq, read_up_to=newest_message_ids(request.user, rfq)
        )
        return self.fresh(rfq.pk)

    def fresh(self, rfq_id: int) -> Response:
        rfq = rfq_get_for_user(self.request.user, rfq_id, unread_messages=True)
        return Response(s.RFQSerializer(rfq, context=self.get_serializer_context()).data)


@extend_schema(tags=["invitations"])
@extend_schema_view(
    list=extend_schema(summary="List the invitations of the caller's firm"),
    retrieve=extend_schema(summary="Read one invitation of the caller's firm"),
)
class InvitationViewSet(viewsets.ReadOnlyModelViewSet):
    """The requests routed to the caller's firm, to answer can do / cannot do."""

    # Ids are integers: any other path segment is "not found", never a crash on int().
    lookup_value_regex = r"[0-9]+"

    permission_classes = [IsAuthenticated]
    serializer_class = s.InvitationSerializer
    filterset_fields = ["status", "purpose"]

    def get_queryset(self):
        return invitation_list_for_firm(self.request.user)

    @extend_schema(request=s.AnswerSerializer, responses=s.InvitationSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """Answer an invitation: can do (with price and lead time) or cannot do."""
        self.get_object()
        form = s.AnswerSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        invitation = answers.invitation_answer(
            invitation_id=int(pk), user=request.user, **form.validated_data
        )
        return Response(s.InvitationSerializer(invitation).data)


@extend_schema(tags=["estimates"])
class EstimateViewSet(viewsets.GenericViewSet):
    """Send, accept or decline one version of an estimate."""

    # Ids are integers: any other path segment is "not found", never a crash on int().
    lookup_value_regex = r"[0-9]+"

    permission_classes = [IsAuthenticated]
    serializer_class = s.EstimateSerializer

    def get_queryset(self):
        return rfq_list_for_user(self.request.user).none()

    @extend_schema(responses=s.EstimateSerializer)
    def retrieve(self, request, pk=None):
        """Read one version of an estimate."""
        return Response(s.EstimateSerializer(estimate_get_for_user(request.user, int(pk))).data)

    @extend_schema(request=None, responses=s.EstimateSerializer)
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        """Send an estimate to the customer."""
        estimate_get_for_user(request.user, int(pk))
        estimate = estimates.estimate_send(estimate_id=int(pk), user=request.user)
        return Response(s.EstimateSerializer(estimate).data)

    @extend_schema(request=None, responses=s.OrderCreatedSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept an estimate: the order is created."""
        estimate_get_for_user(request.user, int(pk))
        order = estimates.estimate_accept(estimate_id=int(pk), user=request.user)
        return Response({"order": order.pk})

    @extend_schema(request=s.ReissueSerializer, responses={201: s.EstimateSerializer})
    @action(detail=True, methods=["post"])
    def reissue(self, request, pk=None):
        """Re-issue an expired estimate as a new version, valid until a new day (the office)."""
        estimate_get_for_user(request.user, int(pk))
        form = s.ReissueSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        estimate = estimates.estimate_reissue(
            estimate_id=int(pk), user=request.user, valid_until=form.validated_data["valid_until"]
        )
        return Response(s.EstimateSerializer(estimate).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.DeclineSerializer, responses=s.EstimateSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """Decline an estimate, with a reason."""
        estimate_get_for_user(request.user, int(pk))
        form = s.DeclineSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        estimate = estimates.estimate_decline(
            estimate_id=int(pk), user=request.user, reason=form.validated_data["reason"]
        )
        return Response(s.EstimateSerializer(estimate).data)


@extend_schema(tags=["proposals"])
class ProposalViewSet(viewsets.GenericViewSet):
    """Coordinator groups' proposals: submitted by a coordinator, chosen by the customer."""

    # Ids are integers: any other path segment is "not found", never a crash on int().
    lookup_value_regex = r"[0-9]+"

    permission_classes = [IsAuthenticated]
    serializer_class = s.ProposalSerializer

    def get_queryset(self):
        return GroupProposal.objects.none()

    def visible(self, pk: int) -> GroupProposal:
        proposal = GroupProposal.objects.filter(pk=pk).first()
        if proposal is None:
            raise Http404("No such proposal.")
        rfq = rfq_get_for_user(self.request.user, proposal.rfq_id)
        if not proposal_list_for_rfq(self.request.user, rfq).filter(pk=pk).exists():
            raise Http404("No such proposal.")
        return proposal

    @extend_schema(request=s.ProposalSubmitSerializer, responses=s.ProposalSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit a coordinator group's proposal: price, lead time, team."""
        self.visible(int(pk))
        form = s.ProposalSubmitSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        proposal = designation.proposal_submit(
            proposal_id=int(pk),
            user=request.user,
            price=form.validated_data["price"],
            lead_time_days=form.validated_data["lead_time_days"],
            approach=form.validated_data.get("approach", ""),
            team_firm_ids=form.validated_data.get("team"),
        )
        return Response(s.ProposalSerializer(proposal).data)

    @extend_schema(request=None, responses=s.RFQSerializer)
    @action(detail=True, methods=["post"])
    def choose(self, request, pk=None):
        """Choose a group's proposal (the customer)."""
        self.visible(int(pk))
        chosen = designation.proposal_choose(proposal_id=int(pk), user=request.user)
        rfq = rfq_get_for_user(request.user, chosen.pk, unread_messages=True)
        return Response(s.RFQSerializer(rfq, context=self.get_serializer_context()).data)


@extend_schema(tags=["notifications"])
@extend_schema_view(list=extend_schema(summary="List the caller's in-app notifications"))
class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's in-app inbox."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.NotificationSerializer

    def get_queryset(self):
        return notification_inbox(self.request.user)
