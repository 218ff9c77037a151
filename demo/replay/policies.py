"""Each policy's own steps in a replayed year: who answers, decides, designates, estimates.

Kyoto (competency broadcast)   invited members answer can do / cannot do; the office
    designates the organizer (on its own authority for urgent requests) and sends the
    estimate; a breached deadline designates the best 'can do' member by itself.
Migakiya (administrative board)   the six administrative members decide; once the majority
    accepts, members with the skills answer, an accepting administrative member leads,
    divides the work among members by quantity and sends the estimate.
Rodan21 (consultation)   the office interviews the customer, holds a planning meeting of
    stakeholder and member-cluster firms, selects a firm per phase, designates the leader
    and sends the estimate; many consultations end at the interview.
Ota (competing groups)   each coordinator whose group can do it proposes; the customer
    chooses one; the winning coordinator leads, its group's firms form the team.
"""

# Japanese text is written with full-width brackets, as Japanese readers expect.
# ruff: noqa: RUF001

import datetime
import random

from brokerage.models import GroupProposal, Invitation
from brokerage.policies import AdministrativeBoardPolicy
from brokerage.services.answers import board_decide, invitation_answer
from brokerage.services.consultation import (
    interview_record,
    interview_schedule,
    phases_select,
    planning_schedule,
)
from brokerage.services.designation import leader_designate, proposal_choose, proposal_submit
from brokerage.services.estimates import EstimateLineInput
from demo.replay.year import (
    NetworkYear,
    RequestContext,
    days,
    hours,
    log_normal_minutes,
    minutes,
    round_price,
)
from members.models import Membership, Network
from orders.models import RFQ
from orders.money import split_largest_remainder

ANSWERABLE = (RFQ.Status.ROUTED, RFQ.Status.PLANNING, RFQ.Status.LEADER_DESIGNATED)
CLOSED = (RFQ.Status.NO_BID, RFQ.Status.CANCELLED, RFQ.Status.DECLINED, RFQ.Status.EXPIRED)


class AnsweringYear(NetworkYear):
    """A year in which invited members answer can do / cannot do, from a desk or a phone."""

    # How many of the invited firms answer, best ranked first (None: every one of them).
    answering: int | None = None

    def schedule_answers(self, context: RequestContext, purpose: str) -> None:
        rng = context.rng
        invitations = Invitation.objects.filter(rfq_id=context.rfq_id, purpose=purpose).values_list(
            "pk", "firm_id", "reason"
        )
        for position, (invitation_id, firm_id, reason) in enumerate(
            invitations.order_by("rank", "pk")
        ):
            if self.answering is not None and position >= self.answering:
                break
            if firm_id not in self.cast.firm_users or rng.random() < self.shape.silent_rate:
                continue
            covers_all = not (reason or {}).get("missing")
            can_do = rng.random() < self.shape.can_do_rate * (1.0 if covers_all else 0.6)
            delay = minutes(min(log_normal_minutes(rng, 18), 600))
            # Supervisors answer on their phones in the evening about half the time.
            when = self.clock.now() + delay
            if rng.random() < 0.5:
                when = self.working(when)
            context.extra["last_answer_at"] = max(context.extra.get("last_answer_at", when), when)
            covered = len((reason or {}).get("covered", [])) or 1
            wanted = len(context.plan.template.requirements)
            price = round_price(
                context.plan.value * min(covered / wanted, 1) * rng.uniform(0.85, 1.2)
            )
            self.at(
                when,
                self.member_answers,
                context,
                invitation_id,
                firm_id,
                can_do,
                price,
                rng.randint(5, 30),
            )

    def member_answers(
        self,
        context: RequestContext,
        invitation_id: int,
        firm_id: int,
        can_do: bool,
        price: int,
        lead_time_days: int,
    ) -> None:
        status, leader = self.rfq_state(context)
        if status not in ANSWERABLE or leader is not None:
            return  # too late: the request moved on without this answer
        self.act(
            "answer invitation",
            invitation_answer,
            invitation_id=invitation_id,
            user=self.cast.firm_users[firm_id],
            can_do=can_do,
            price=price if can_do else None,
            lead_time_days=lead_time_days if can_do else None,
            note="対応可能です。" if can_do else "今回は対応できません。",
        )

    def can_do_answers(self, context: RequestContext) -> list[dict]:
        return list(
            Invitation.objects.filter(
                rfq_id=context.rfq_id,
                purpose=Invitation.Purpose.ANSWER,
                status=Invitation.Status.CAN_DO,
            )
            .order_by("rank", "pk")
            .values("firm_id", "price", "lead_time_days", "reason")
        )


class BroadcastYear(AnsweringYear):
    """Kyoto Shisaku Net's year."""

    def after_routing(self, context: RequestContext) -> None:
        status, _ = self.rfq_state(context)
        if status != RFQ.Status.ROUTED:
            return
        self.schedule_answers(context, Invitation.Purpose.ANSWER)
        delay = minutes(context.rng.uniform(35, 80))
        self.at(self.working_after(context.rng, delay), self.office_designates, context)

    def office_designates(self, context: RequestContext) -> None:
        """The office picks the organizer among the members that can do it."""
        status, leader = self.rfq_state(context)
        if status in CLOSED or status == RFQ.Status.ESTIMATE_SENT:
            return
        if leader is not None:  # the deadline designated on the office's urgent authority
            self.estimate_soon(context)
            return
        answers = self.can_do_answers(context)
        if answers:
            urgent = context.plan.urgency == RFQ.Urgency.URGENT
            reason = RFQ.LeaderReason.URGENT if urgent else RFQ.LeaderReason.DISCUSSION
            designated = self.act(
                "designate leader",
                leader_designate,
                rfq_id=context.rfq_id,
                firm_id=answers[0]["firm_id"],
                reason=reason,
                user=self.cast.office_user,
            )
            if designated is not None:
                self.estimate_soon(context)
            return
        # Nobody can do it yet: wait for the members still expected to answer, then give up.
        last_answer_at = context.extra.get("last_answer_at")
        if last_answer_at is not None and self.clock.now() <= last_answer_at:
            self.at(last_answer_at + minutes(5), self.office_designates, context)
        else:
            self.office_cancel(context, "対応できる会員が見つかりませんでした。")

    def estimate_soon(self, context: RequestContext) -> None:
        if not context.estimate_scheduled:
            context.estimate_scheduled = True
            delay = minutes(context.rng.uniform(10, 45))
            self.at(self.working_after(context.rng, delay), self.office_estimates, context)

    def office_estimates(self, context: RequestContext) -> None:
        """The office writes the estimate from the answers: the leader's, and for a set the
        members covering what the leader does not."""
        status, leader = self.rfq_state(context)
        if status != RFQ.Status.LEADER_DESIGNATED:
            return
        answers = {answer["firm_id"]: answer for answer in self.can_do_answers(context)}
        lead = answers.get(leader)
        lines = [
            EstimateLineInput(
                firm_id=leader,
                description=context.plan.template.title_ja,
                amount=lead["price"] if lead else round_price(context.plan.value),
                work_package="主工程",
            )
        ]
        lead_time = lead["lead_time_days"] if lead else 14
        missing = set((lead or {}).get("reason", {}).get("missing", []))
        for firm_id, answer in answers.items():
            covers = set(answer["reason"].get("covered", [])) & missing
            if firm_id == leader or not covers:
                continue
            missing -= covers
            lines.append(
                EstimateLineInput(
                    firm_id=firm_id,
                    description="セットの一部: " + ", ".join(sorted(covers)),
                    amount=round_price(answer["price"] * 0.5),
                    work_package="セット部品",
                )
            )
            lead_time = max(lead_time, answer["lead_time_days"])
        self.estimate_issue(
            context, user=self.cast.office_user, lines=lines, lead_time_days=lead_time
        )


class BoardYear(AnsweringYear):
    """The Migakiya Syndicate's year."""

    # Once the board accepts, nearly every polisher has the skills; the best ranked few
    # answer, as the leader needs a handful of hands, and the rest let it pass.
    answering = 6

    def after_routing(self, context: RequestContext) -> None:
        status, _ = self.rfq_state(context)
        if status != RFQ.Status.ROUTED:
            return
        rng = context.rng
        # Now and then a job is beyond what the board wants to take on.
        reluctant = rng.random() < self.shape.board_decline_rate
        board = list(
            Invitation.objects.filter(
                rfq_id=context.rfq_id, purpose=Invitation.Purpose.BOARD
            ).values_list("firm_id", flat=True)
        )
        rng.shuffle(board)
        for firm_id in board:
            accept = rng.random() < (0.15 if reluctant else 0.93)
            delay = minutes(rng.uniform(10, 150))
            self.at(
                self.working_after(rng, delay), self.board_member_decides, context, firm_id, accept
            )

    def board_member_decides(self, context: RequestContext, firm_id: int, accept: bool) -> None:
        # Every decision goes through here, so the board's outcome after the last one is
        # known: once decided, the others no longer vote.
        if context.extra.get("board_decided"):
            return
        rfq = RFQ.objects.select_related("network").get(pk=context.rfq_id)
        if rfq.status != RFQ.Status.ROUTED:
            return
        decided = self.act(
            "board decision",
            board_decide,
            rfq_id=rfq.pk,
            user=self.cast.firm_users[firm_id],
            accept=accept,
            reason="" if accept else "当組合の設備では品質を保証できないため。",
        )
        if decided is None:
            return
        if accept:
            context.extra.setdefault("accepting", []).append(firm_id)
        outcome = AdministrativeBoardPolicy(rfq.network).board_outcome(rfq)
        if outcome is not None:
            context.extra["board_decided"] = True
        if outcome is True:
            self.schedule_answers(context, Invitation.Purpose.ANSWER)
            delay = minutes(context.rng.uniform(40, 150))
            self.at(self.working_after(context.rng, delay), self.admin_designates, context)

    def admin_designates(self, context: RequestContext) -> None:
        """The first administrative member that accepted takes charge of the order."""
        status, leader = self.rfq_state(context)
        if status != RFQ.Status.ROUTED or leader is not None:
            return
        firm_id = context.extra["accepting"][0]
        designated = self.act(
            "designate leader",
            leader_designate,
            rfq_id=context.rfq_id,
            firm_id=firm_id,
            reason=RFQ.LeaderReason.DISCUSSION,
            user=self.cast.firm_users[firm_id],
        )
        if designated is not None:
            delay = minutes(context.rng.uniform(15, 90))
            self.at(self.working_after(context.rng, delay), self.leader_estimates, context, firm_id)

    def leader_estimates(self, context: RequestContext, leader: int) -> None:
        """The leader divides the polishing among members that can do it, by quantity."""
        rng = context.rng
        plan = context.plan
        helpers = [a["firm_id"] for a in self.can_do_answers(context) if a["firm_id"] != leader]
        team_size = 1 if plan.quantity < 50 else min(len(helpers), rng.randint(1, 3))
        firms = [leader, *helpers[:team_size]] if plan.quantity >= 50 else [leader]
        weights = [2, *([1] * (len(firms) - 1))]
        amounts = split_largest_remainder(plan.value, weights)
        quantities = split_largest_remainder(plan.quantity, weights)
        context.extra["quantities"] = dict(zip(firms, quantities, strict=True))
        lines = [
            EstimateLineInput(
                firm_id=firm_id,
                description=f"{plan.template.title_ja}（{quantity:,}個）",
                amount=amount,
                work_package=f"研磨 {quantity:,}個",
            )
            for firm_id, amount, quantity in zip(firms, amounts, quantities, strict=True)
        ]
        self.estimate_issue(
            context,
            user=self.cast.firm_users[leader],
            lines=lines,
            lead_time_days=rng.randint(5, 25),
        )

    def part_details(self, context: RequestContext, firm_id: int) -> dict:
        quantity = context.extra.get("quantities", {}).get(firm_id)
        return {"quantity": quantity} if quantity else {}


# What part of a consultation project's price each phase takes, and which skills make a
# firm the natural choice for it.
PHASE_WEIGHTS = {
    "planning": 8,
    "design": 20,
    "prototype": 22,
    "production": 35,
    "commercialization": 15,
}
PHASE_SKILLS = {
    "planning": ("service.planning", "service.consultation"),
    "design": ("service.design", "service.cad_cam"),
    "prototype": ("process.", "service.cad_cam"),
    "production": ("process.",),
    "commercialization": ("service.commercialization", "service.marketing", "service.sales"),
}
# How many of the planning meeting's firms with the skills needed answer beforehand.
PLANNERS_ANSWERING = 5
PHASE_NAMES = {
    "planning": "企画",
    "design": "設計",
    "prototype": "試作",
    "production": "生産",
    "commercialization": "事業化",
}


class ConsultationYear(NetworkYear):
    """Rodan21's year."""

    def after_routing(self, context: RequestContext) -> None:
        status, _ = self.rfq_state(context)
        if status != RFQ.Status.INTERVIEW:
            return
        delay = hours(context.rng.uniform(0.5, 5))
        self.at(self.working_after(context.rng, delay), self.interview_arrange, context)

    def meeting_time(
        self, rng: random.Random, after_days: tuple[float, float]
    ) -> datetime.datetime:
        day = self.today() + days(rng.uniform(*after_days))
        while not self.is_working_day(day):
            day += days(1)
        return self.local_moment(day, rng.choice([datetime.time(10, 0), datetime.time(14, 0)]))

    def interview_arrange(self, context: RequestContext) -> None:
        # Within the interview promise (three business days) mostly; a busy week breaks it.
        when = self.meeting_time(context.rng, (1, 3.5))
        scheduled = self.act(
            "schedule interview",
            interview_schedule,
            rfq_id=context.rfq_id,
            user=self.cast.office_user,
            scheduled_at=when,
            place="ロダン21 事務局（東大阪）",
        )
        if scheduled is not None:
            self.at(when + hours(1), self.interview_held, context)

    def interview_held(self, context: RequestContext) -> None:
        rng = context.rng
        recorded = self.act(
            "record interview",
            interview_record,
            rfq_id=context.rfq_id,
            user=self.cast.office_user,
            notes="用途、想定数量、予算、スケジュールを確認。図面は後日送付。",
        )
        if recorded is None:
            return
        if rng.random() < self.shape.consultation_only_rate:
            delay = days(rng.uniform(1, 7))
            self.at(
                self.working_after(rng, delay),
                self.office_cancel,
                context,
                "無料相談で完了しました（今回は製品化を見送り）。",
            )
            return
        self.at(self.working_after(rng, hours(rng.uniform(2, 24))), self.planning_arrange, context)

    def planning_arrange(self, context: RequestContext) -> None:
        rng = context.rng
        # The planning meeting is promised within five business days of the interview.
        when = self.meeting_time(rng, (2, 6.5))
        scheduled = self.act(
            "schedule planning",
            planning_schedule,
            rfq_id=context.rfq_id,
            user=self.cast.office_user,
            scheduled_at=when,
            place="ロダン21 会議室",
        )
        if scheduled is None:
            return
        # The firms whose skills the request needs answer whether they take part (the best
        # ranked few); the stakeholders invited to every meeting just come to it.
        answering = 0
        for invitation_id, firm_id, reason in (
            Invitation.objects.filter(rfq_id=context.rfq_id, purpose=Invitation.Purpose.PLANNING)
            .values_list("pk", "firm_id", "reason")
            .order_by("rank", "pk")
        ):
            covers = (reason or {}).get("covered")
            if not covers or firm_id not in self.cast.firm_users or answering == PLANNERS_ANSWERING:
                continue
            answering += 1
            if rng.random() < 0.1:
                continue
            can_do = rng.random() < 0.65
            price = round_price(context.plan.value * rng.uniform(0.15, 0.4))
            answer_at = self.working_after(rng, hours(rng.uniform(1, 72)))
            if answer_at < when:
                self.at(
                    answer_at, self.planner_answers, context, invitation_id, firm_id, can_do, price
                )
        self.at(when + hours(2), self.planning_held, context)

    def planner_answers(
        self, context: RequestContext, invitation_id: int, firm_id: int, can_do: bool, price: int
    ) -> None:
        status, _ = self.rfq_state(context)
        if status != RFQ.Status.PLANNING:
            return
        self.act(
            "planner answers",
            invitation_answer,
            invitation_id=invitation_id,
            user=self.cast.firm_users[firm_id],
            can_do=can_do,
            price=price if can_do else None,
            lead_time_days=context.rng.randint(10, 60) if can_do else None,
            note="企画会議に参加します。" if can_do else "今回は日程が合いません。",
        )

    def phases_for(self, rng: random.Random) -> list[str]:
        phases = ["planning", "design"]
        if rng.random() < 0.9:
            phases.append("prototype")
        if rng.random() < self.shape.commercial_scope_rate:
            if rng.random() < 0.9:
                phases.append("production")
            if rng.random() < 0.6 or "production" not in phases:
                phases.append("commercialization")
        return phases

    def firm_for_phase(self, phase: str, candidates: list[int], rng: random.Random) -> int:
        """Return the planner best suited to a phase: one with the phase's skills if any."""
        prefixes = PHASE_SKILLS[phase]
        suited = [
            firm_id
            for firm_id in candidates
            if any(
                code.startswith(prefix)
                for code in self.cast.capabilities.get(firm_id, {})
                for prefix in prefixes
            )
        ]
        return rng.choice(suited or candidates)

    def planning_held(self, context: RequestContext) -> None:
        """The planning meeting: firms for each phase, the leader, then the estimate."""
        rng = context.rng
        status, _ = self.rfq_state(context)
        if status != RFQ.Status.PLANNING:
            return
        if rng.random() < self.shape.no_team_rate:
            self.office_cancel(context, "企画会議の結果、今回は実現が難しいと判断しました。")
            return
        planners = Invitation.objects.filter(
            rfq_id=context.rfq_id, purpose=Invitation.Purpose.PLANNING
        ).order_by("rank", "pk")
        willing = list(
            planners.filter(status=Invitation.Status.CAN_DO).values_list("firm_id", "price")
        )
        candidates = [firm_id for firm_id, _ in willing] or list(
            planners.filter(
                firm_id__in=self.cast.member_firms(Membership.Role.STAKEHOLDER)
            ).values_list("firm_id", flat=True)
        )
        if not candidates:
            self.office_cancel(context, "企画会議に参加できる会社がありませんでした。")
            return
        phases = self.phases_for(rng)
        firms_by_phase = {phase: self.firm_for_phase(phase, candidates, rng) for phase in phases}
        selected = self.act(
            "select phases",
            phases_select,
            rfq_id=context.rfq_id,
            user=self.cast.office_user,
            firms_by_phase=firms_by_phase,
            notes="役割分担を決定。",
        )
        if selected is None:
            return
        leader = firms_by_phase.get("design") or firms_by_phase[phases[0]]
        designated = self.act(
            "designate leader",
            leader_designate,
            rfq_id=context.rfq_id,
            firm_id=leader,
            reason=RFQ.LeaderReason.DISCUSSION,
            user=self.cast.office_user,
        )
        if designated is None:
            return
        context.extra["phases"] = firms_by_phase
        # The estimate is promised three business days after the planning meeting.
        self.at(
            self.working_after(rng, days(rng.uniform(0.5, 3.5))), self.office_estimates, context
        )

    def office_estimates(self, context: RequestContext) -> None:
        status, _ = self.rfq_state(context)
        if status != RFQ.Status.LEADER_DESIGNATED:
            return
        phases = context.extra["phases"]
        amounts = split_largest_remainder(
            context.plan.value, [PHASE_WEIGHTS[phase] for phase in phases]
        )
        lines = [
            EstimateLineInput(
                firm_id=firm_id,
                description=f"{PHASE_NAMES[phase]}: {context.plan.template.title_ja}",
                amount=amount,
                work_package=phase,
            )
            for (phase, firm_id), amount in zip(phases.items(), amounts, strict=True)
        ]
        lead = 20 + 25 * len(phases)
        self.estimate_issue(context, user=self.cast.office_user, lines=lines, lead_time_days=lead)

    def part_details(self, context: RequestContext, firm_id: int) -> dict:
        phases = [p for p, firm in context.extra.get("phases", {}).items() if firm == firm_id]
        return {"phase": phases[0]} if phases else {}


class CompetingGroupsYear(NetworkYear):
    """The Ota coordinators' year."""

    def group_price_factor(self, group_id: int) -> float:
        """Return how keenly a group prices: each group has its own habits."""
        rng = random.Random(f"replay:{self.seed}:{self.shape.slug}:group:{group_id}")
        return rng.uniform(0.88, 1.12)

    def after_routing(self, context: RequestContext) -> None:
        status, _ = self.rfq_state(context)
        if status != RFQ.Status.ROUTED:
            return
        rng = context.rng
        latest = self.clock.now()
        for proposal_id, group_id, reason in (
            GroupProposal.objects.filter(rfq_id=context.rfq_id)
            .order_by("pk")
            .values_list("pk", "group_id", "reason")
        ):
            # Every group that can do it proposes: one that is not keen prices itself out.
            # (A group that never proposed cannot be passed over: proposal_choose would
            # mark its empty proposal "not chosen", which its check constraint refuses.)
            keen = rng.random() >= self.shape.group_reluctance
            when = self.working_after(rng, minutes(rng.uniform(20, 100)))
            latest = max(latest, when)
            price = round_price(
                context.plan.value
                * self.group_price_factor(group_id)
                * rng.uniform(0.85, 1.15)
                * (1.0 if keen else rng.uniform(1.3, 1.6))
            )
            firms = [f for f in (reason or {}).get("firms", []) if f in self.cast.firm_users][:3]
            self.at(when, self.group_proposes, context, proposal_id, group_id, price, firms)
        # The customer compares the proposals within the hour: they are the quotes.
        choose_at = latest + minutes(rng.uniform(10, 60))
        self.at(self.working(choose_at), self.customer_chooses, context)

    def group_proposes(
        self, context: RequestContext, proposal_id: int, group_id: int, price: int, firms: list
    ) -> None:
        coordinator = self.cast.groups[group_id].coordinator_id
        self.act(
            "submit proposal",
            proposal_submit,
            proposal_id=proposal_id,
            user=self.cast.firm_users[coordinator],
            price=price,
            lead_time_days=context.rng.randint(7, 40),
            approach="グループ内の得意工程を組み合わせて対応します。",
            team_firm_ids=sorted({coordinator, *firms}),
        )

    def customer_chooses(self, context: RequestContext) -> None:
        """The customer compares the proposals: price first, then lead time."""
        status, _ = self.rfq_state(context)
        if status != RFQ.Status.ROUTED:
            return
        proposals = list(
            GroupProposal.objects.filter(
                rfq_id=context.rfq_id, status=GroupProposal.Status.SUBMITTED
            ).values("pk", "price", "lead_time_days", "team_firm_ids", "group_id")
        )
        if not proposals:
            self.office_cancel(context, "どのグループからも提案がありませんでした。")
            return
        rng = context.rng
        chosen = min(
            proposals,
            key=lambda p: p["price"] * (1 + p["lead_time_days"] / 100) * rng.uniform(0.9, 1.1),
        )
        designated = self.act(
            "choose proposal", proposal_choose, proposal_id=chosen["pk"], user=context.customer
        )
        if designated is not None:
            context.extra["proposal"] = chosen
            delay = minutes(rng.uniform(10, 40))
            self.at(self.working_after(rng, delay), self.coordinator_estimates, context)

    def coordinator_estimates(self, context: RequestContext) -> None:
        status, leader = self.rfq_state(context)
        if status != RFQ.Status.LEADER_DESIGNATED:
            return
        proposal = context.extra["proposal"]
        workers = [f for f in proposal["team_firm_ids"] if f != leader] or [leader]
        # The coordinator keeps a part for coordinating; the group's firms do the work.
        weights = [8 if firm == leader else 92 // len(workers) for firm in [leader, *workers]]
        firms = [leader, *workers] if workers != [leader] else [leader]
        weights = weights[: len(firms)]
        amounts = split_largest_remainder(proposal["price"], weights)
        lines = [
            EstimateLineInput(
                firm_id=firm_id,
                description="コーディネート" if firm_id == leader and len(firms) > 1 else "加工",
                amount=amount,
                work_package="取りまとめ" if firm_id == leader and len(firms) > 1 else "加工",
            )
            for firm_id, amount in zip(firms, amounts, strict=True)
        ]
        self.estimate_issue(
            context,
            user=self.cast.firm_users[leader],
            lines=lines,
            lead_time_days=proposal["lead_time_days"],
        )


YEARS = {
    Network.Policy.COMPETENCY_BROADCAST: BroadcastYear,
    Network.Policy.ADMIN_BOARD: BoardYear,
    Network.Policy.CONSULTATION: ConsultationYear,
    Network.Policy.COMPETING_GROUPS: CompetingGroupsYear,
}
