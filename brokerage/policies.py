"""Network policy presets: one class per way a network handles a request.

A policy decides whom a request is routed to, which steps it goes through, who may
designate the project leader and what acceptance needs. Networks choose a preset and
tune it through their settings; no network's rules live anywhere else.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from brokerage import reasons
from brokerage.models import BoardDecision, Invitation
from capabilities.matching.ranking import Candidate, rank_firms
from capabilities.matching.requirements import Requirement
from capabilities.matching.teams import propose_teams
from core import access
from members.models import Membership, Network, NetworkGroup
from orders.models import RFQ

# A broadcast reaches every qualified member; beyond this many it would be spam,
# and the best-ranked are the ones a customer is served by.
MAX_INVITATIONS = 200
MEMBER_ROLES = (
    Membership.Role.MEMBER,
    Membership.Role.ADMINISTRATIVE,
    Membership.Role.STAKEHOLDER,
    Membership.Role.MEMBER_CLUSTER,
    Membership.Role.COORDINATOR,
)


@dataclass
class RoutingPlan:
    """What routing decided: the next status, invitations to write, or why nobody can.

    Reasons are data (brokerage.reasons), said in each reader's language when read.
    """

    status: str
    invitations: list[tuple[int, str, int, dict]] = field(default_factory=list)
    proposals: list[tuple[NetworkGroup, dict]] = field(default_factory=list)
    no_bid_reason: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)


def requirements_of(rfq: RFQ) -> list[Requirement]:
    return [
        Requirement(capability_code=requirement.capability.code, min_grade=requirement.min_grade)
        for requirement in rfq.requirements.select_related("capability")
    ]


def open_load_by_firm(network: Network) -> dict[int, int]:
    """Return each firm's open work in the network: invitations not yet closed."""
    rows = (
        Invitation.objects.filter(rfq__network=network, rfq__status__in=RFQ.OPEN_STATUSES)
        .exclude(status__in=[Invitation.Status.CANNOT_DO, Invitation.Status.NOT_NEEDED])
        .values("firm_id")
        .annotate(open_count=Count("id"))
    )
    return {row["firm_id"]: row["open_count"] for row in rows}


def response_rate_by_firm(network: Network) -> dict[int, float]:
    """Return each firm's share of past invitations it answered in time."""
    rows = (
        Invitation.objects.filter(rfq__network=network)
        .exclude(status__in=[*Invitation.UNANSWERED, Invitation.Status.NOT_NEEDED])
        .values("firm_id")
        .annotate(
            answered=Count("id", filter=Q(status__in=Invitation.ANSWERED)),
            asked=Count("id"),
        )
    )
    return {row["firm_id"]: row["answered"] / row["asked"] for row in rows if row["asked"]}


def uncovered(requirements: Sequence[Requirement], candidates: Sequence[Candidate]) -> list[str]:
    covered = {code for candidate in candidates for code in candidate.covered}
    return [r.capability_code for r in requirements if r.capability_code not in covered]


@dataclass(frozen=True)
class Stage:
    """One promise a network makes about a request: what is due, by whom, how soon.

    The window is the network setting `window_setting`, counted on the network's clock
    (business hours when it keeps them) in `unit`: working minutes, or whole business
    days. A stage starts when the one before it is kept (the first at submission) and is
    kept by the event `kept_by`.
    """

    code: str
    due_by: str
    window_setting: str
    unit: str
    kept_by: str

    MINUTES = "minutes"
    BUSINESS_DAYS = "business_days"

    def window_minutes(self, network: Network, working_day_minutes: int) -> int:
        window = getattr(network, self.window_setting)
        return window * working_day_minutes if self.unit == self.BUSINESS_DAYS else window


ESTIMATE_STAGE = Stage(
    code="estimate",
    due_by="members",
    window_setting="estimate_window_minutes",
    unit=Stage.MINUTES,
    kept_by="estimate.sent",
)


class NetworkPolicy:
    """The steps every network shares; presets override what differs."""

    policy = ""
    invitation_purpose = Invitation.Purpose.ANSWER
    # The promises a request goes through, in order; the customer sees the current one's.
    stages: tuple[Stage, ...] = (ESTIMATE_STAGE,)

    @classmethod
    def stage(cls, code: str) -> Stage:
        return next(stage for stage in cls.stages if stage.code == code)

    @classmethod
    def next_stage(cls, code: str) -> Stage | None:
        codes = [stage.code for stage in cls.stages]
        index = codes.index(code) + 1
        return cls.stages[index] if index < len(cls.stages) else None

    def __init__(self, network: Network):
        self.network = network

    def rank(self, rfq: RFQ, *, roles=MEMBER_ROLES, firm_ids=None) -> list[Candidate]:
        return rank_firms(
            network_id=self.network.pk,
            requirements=requirements_of(rfq),
            roles=roles,
            firm_ids=firm_ids,
            open_load=open_load_by_firm(self.network),
            response_rate=response_rate_by_firm(self.network),
            limit=MAX_INVITATIONS,
        )

    def visible_to_firm(self, rfq: RFQ, firm_id: int) -> bool:
        """Confidential requests go only to firms that signed the network's NDA."""
        return not rfq.confidential or access.firm_may_see_confidential(firm_id, self.network)

    def invitation_rows(self, rfq: RFQ, candidates: Sequence[Candidate], purpose: str):
        return [
            (candidate.firm_id, purpose, rank, candidate.reason)
            for rank, candidate in enumerate(candidates, start=1)
            if self.visible_to_firm(rfq, candidate.firm_id)
        ]

    def route(self, rfq: RFQ) -> RoutingPlan:
        raise NotImplementedError

    def may_designate(self, *, rfq: RFQ, firm_id: int, reason: str, actor_role: str) -> str:
        """Return "" if the designation is allowed, else why not."""
        raise NotImplementedError

    def ready_for_leader(self, rfq: RFQ) -> str:
        """Return "" if the request is ready for a leader, else what is missing."""
        return ""


class CompetencyBroadcastPolicy(NetworkPolicy):
    """Kyoto Shisaku Net: every member with the required skills is invited and answers."""

    policy = Network.Policy.COMPETENCY_BROADCAST

    def route(self, rfq: RFQ) -> RoutingPlan:
        requirements = requirements_of(rfq)
        candidates = self.rank(rfq)
        missing = uncovered(requirements, candidates)
        rows = self.invitation_rows(rfq, candidates, Invitation.Purpose.ANSWER)
        if missing or not rows:
            return RoutingPlan(
                status=RFQ.Status.NO_BID,
                no_bid_reason=reasons.uncovered_reason(missing),
            )
        teams = []
        if not any(not candidate.missing for candidate in candidates):
            teams = [
                {"firms": list(team.firm_ids), "reason": team.reason}
                for team in propose_teams(
                    network_id=self.network.pk, requirements=requirements, roles=MEMBER_ROLES
                )
            ]
        return RoutingPlan(status=RFQ.Status.ROUTED, invitations=rows, data={"teams": teams})

    def may_designate(self, *, rfq, firm_id, reason, actor_role) -> str:
        if actor_role != "office":
            return _("Only the network office designates the project leader.")
        if reason == RFQ.LeaderReason.URGENT and not self.network.office_may_designate_urgent:
            return _("This network does not let the office designate on its own authority.")
        invitation = rfq.invitations.filter(firm_id=firm_id).first()
        if invitation is None:
            return _("The leader must be one of the firms the request was routed to.")
        if invitation.status == Invitation.Status.CANNOT_DO:
            return _("This firm answered that it cannot do the job.")
        if reason == RFQ.LeaderReason.DISCUSSION and invitation.status != Invitation.Status.CAN_DO:
            return _("After a discussion, the leader is a firm that answered 'can do'.")
        return ""


@dataclass(frozen=True)
class BoardTally:
    """The administrative board's votes so far, and what its rule needs to decide."""

    rule: str
    board_size: int
    accepts: int
    declines: int

    @property
    def rule_label(self) -> str:
        return Network.DecisionRule(self.rule).label

    @property
    def undecided(self) -> int:
        return self.board_size - self.accepts - self.declines

    @property
    def accepts_needed(self) -> int:
        """Return how many accepts the rule needs for the board to accept."""
        if self.rule == Network.DecisionRule.ANY:
            return 1
        if self.rule == Network.DecisionRule.ALL:
            return self.board_size
        return self.board_size // 2 + 1

    @property
    def outcome(self) -> bool | None:
        """Return True (accepted), False (declined) or None (undecided) under the rule."""
        if self.rule == Network.DecisionRule.ALL and self.declines:
            return False
        if self.accepts >= self.accepts_needed:
            return True
        # Declined once the accepts still possible cannot reach what the rule needs.
        if self.board_size - self.declines < self.accepts_needed:
            return False
        return None


class AdministrativeBoardPolicy(NetworkPolicy):
    """Migakiya Syndicate: the administrative members decide first, then form the team."""

    policy = Network.Policy.ADMIN_BOARD

    def route(self, rfq: RFQ) -> RoutingPlan:
        board = self.rank(rfq, roles=[Membership.Role.ADMINISTRATIVE])
        ranked_ids = {candidate.firm_id for candidate in board}
        rows = self.invitation_rows(rfq, board, Invitation.Purpose.BOARD)
        # Every administrative member reviews, qualified or not: the board decides.
        others = Membership.objects.filter(
            network=self.network, role=Membership.Role.ADMINISTRATIVE, is_active=True
        ).exclude(firm_id__in=ranked_ids)
        for offset, membership in enumerate(others.order_by("firm_id"), start=len(rows) + 1):
            rows.append(
                (
                    membership.firm_id,
                    Invitation.Purpose.BOARD,
                    offset,
                    {"code": reasons.BOARD_MEMBER},
                )
            )
        if not rows:
            return RoutingPlan(
                status=RFQ.Status.NO_BID,
                no_bid_reason={"code": reasons.NO_BOARD},
            )
        return RoutingPlan(status=RFQ.Status.ROUTED, invitations=rows)

    def board_tally(self, rfq: RFQ) -> "BoardTally":
        """Count the board's votes so far against the network's rule."""
        board_size = rfq.invitations.filter(purpose=Invitation.Purpose.BOARD).count()
        votes = BoardDecision.objects.filter(rfq=rfq).aggregate(
            accepts=Count("pk", filter=Q(accept=True)),
            declines=Count("pk", filter=Q(accept=False)),
        )
        return BoardTally(rule=self.network.admin_decision_rule, board_size=board_size, **votes)

    def board_outcome(self, rfq: RFQ) -> bool | None:
        """Return True (accepted), False (declined) or None (undecided) under the rule."""
        return self.board_tally(rfq).outcome

    def ready_for_leader(self, rfq: RFQ) -> str:
        if self.board_outcome(rfq) is not True:
            return _("The administrative board has not accepted this request yet.")
        return ""

    def may_designate(self, *, rfq, firm_id, reason, actor_role) -> str:
        if actor_role not in ("office", "administrative"):
            return _("The office or an administrative member designates the project leader.")
        if not BoardDecision.objects.filter(rfq=rfq, firm_id=firm_id, accept=True).exists():
            return _("The leader must be an administrative member that accepted the order.")
        return ""


class ConsultationPolicy(NetworkPolicy):
    """Rodan21: an interview with the customer, a planning meeting, then firms per phase."""

    policy = Network.Policy.CONSULTATION
    stages = (
        Stage(
            code="interview",
            due_by="office",
            window_setting="interview_within_days",
            unit=Stage.BUSINESS_DAYS,
            kept_by="interview.recorded",
        ),
        Stage(
            code="planning",
            due_by="office",
            window_setting="planning_within_days",
            unit=Stage.BUSINESS_DAYS,
            kept_by="phases.selected",
        ),
        Stage(
            code="estimate",
            due_by="leader",
            window_setting="estimate_after_planning_days",
            unit=Stage.BUSINESS_DAYS,
            kept_by="estimate.sent",
        ),
    )

    def route(self, rfq: RFQ) -> RoutingPlan:
        return RoutingPlan(status=RFQ.Status.INTERVIEW)

    def planning_invitations(self, rfq: RFQ):
        """Rank stakeholders and member-cluster firms for the planning meeting."""
        stakeholders = Membership.objects.filter(
            network=self.network, role=Membership.Role.STAKEHOLDER, is_active=True
        ).values_list("firm_id", flat=True)
        candidates = self.rank(
            rfq, roles=[Membership.Role.STAKEHOLDER, Membership.Role.MEMBER_CLUSTER]
        )
        # The member cluster joins only with a signed NDA; stakeholders always plan.
        chosen = [
            candidate
            for candidate in candidates
            if candidate.firm_id in set(stakeholders)
            or access.firm_signed_nda(candidate.firm_id, self.network)
        ]
        rows = self.invitation_rows(rfq, chosen, Invitation.Purpose.PLANNING)
        invited = {row[0] for row in rows}
        for firm_id in sorted(set(stakeholders) - invited):
            rows.append(
                (
                    firm_id,
                    Invitation.Purpose.PLANNING,
                    len(rows) + 1,
                    {"code": reasons.STAKEHOLDER},
                )
            )
        return rows

    def ready_for_leader(self, rfq: RFQ) -> str:
        if rfq.status != RFQ.Status.PLANNING:
            return _("The interview and the planning meeting come before a leader.")
        if not rfq.phase_assignments.exists():
            return _("Select the firms for the project's phases first.")
        return ""

    def may_designate(self, *, rfq, firm_id, reason, actor_role) -> str:
        if actor_role != "office":
            return _("The office designates the leader after the planning meeting.")
        if not rfq.phase_assignments.filter(firm_id=firm_id).exists():
            return _("The leader must be one of the firms selected for a phase.")
        return ""


class CompetingGroupsPolicy(NetworkPolicy):
    """Ota-ward coordinators: groups that can do it propose; the customer chooses."""

    policy = Network.Policy.COMPETING_GROUPS

    def route(self, rfq: RFQ) -> RoutingPlan:
        requirements = requirements_of(rfq)
        plan = RoutingPlan(status=RFQ.Status.ROUTED)
        groups = NetworkGroup.objects.filter(network=self.network).select_related("coordinator")
        for rank, group in enumerate(groups.order_by("pk"), start=1):
            firm_ids = set(
                Membership.objects.filter(
                    network=self.network, group=group, is_active=True
                ).values_list("firm_id", flat=True)
            ) | {group.coordinator_id}
            candidates = self.rank(rfq, roles=None, firm_ids=firm_ids)
            if uncovered(requirements, candidates):
                continue
            reason = reasons.group_reason(
                firm_ids=[candidate.firm_id for candidate in candidates[:20]],
                covering=len(candidates),
                has_requirements=bool(requirements),
            )
            plan.proposals.append((group, reason))
            plan.invitations.append((group.coordinator_id, Invitation.Purpose.GROUP, rank, reason))
        if not plan.proposals:
            return RoutingPlan(
                status=RFQ.Status.NO_BID,
                no_bid_reason={"code": reasons.NO_GROUP},
            )
        return plan

    def may_designate(self, *, rfq, firm_id, reason, actor_role) -> str:
        if actor_role not in ("customer", "office"):
            return _("The customer chooses among the groups' proposals.")
        if not rfq.group_proposals.filter(group__coordinator_id=firm_id, status="submitted"):
            return _("Choose the coordinator of a group that submitted a proposal.")
        return ""


POLICIES = {
    cls.policy: cls
    for cls in (
        CompetencyBroadcastPolicy,
        AdministrativeBoardPolicy,
        ConsultationPolicy,
        CompetingGroupsPolicy,
    )
}


def policy_for(network: Network) -> NetworkPolicy:
    return POLICIES[network.policy](network)
