"""A network's year as a discrete-event simulation over the real services.

Every step of the year (a request arriving, a member answering, the office designating a
leader, a deadline falling due, a payment arriving …) is an entry in a queue ordered by
its simulated time. The replay pops the earliest, moves the simulated clock to it and
performs it by calling the service a person would have called, as that person; a step
schedules the steps that follow from it. Deadlines are not imitated: when a request is
submitted the replay schedules a sweep at each of its deadlines' due times, and the sweep
calls `deadlines_fire_due(now=...)` as the beat's sweeper does, so whatever the real
deadline effects do (mark members silent, designate on breach) happens in the replay.
That sweep fires whatever is due in the database, replayed or not, as the sweeper would.

What every network shares lives here: arrivals, deadlines, the order's path from team to
payment, follow-on requests, skills learned, directory contacts and monthly payouts.
Each policy's own steps live in a subclass (see `demo.replay.policies`).

Every decision a person makes is drawn from the random generator of the request it
concerns (see `demo.replay.arrivals.request_rng`), so the year is the same for a
seed. A step a service refuses is counted in `refusals` rather than stopping the year:
a replay that the services push back on is a finding, and the tests require none.
"""

# Japanese text is written with full-width brackets, as Japanese readers expect.
# ruff: noqa: RUF001

import collections
import datetime
import heapq
import itertools
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from brokerage.models import Deadline
from brokerage.services.deadlines import deadlines_fire_due
from brokerage.services.designation import rfq_cancel
from brokerage.services.estimates import (
    EstimateLineInput,
    estimate_accept,
    estimate_create,
    estimate_decline,
    estimate_send,
)
from brokerage.services.follow_on import order_follow_on_request
from brokerage.services.intake import RequirementInput, RFQInput, rfq_route_submitted, rfq_submit
from brokerage.services.triage import rfq_triage_close
from capabilities.models import Capability
from capabilities.services import directory_contact_create, firm_capability_set
from core.clock import national_holidays_for, no_national_holidays
from core.errors import Refusal
from demo.replay.arrivals import (
    QUIET_DAYS,
    PlannedRequest,
    plan_follow_on,
    request_rng,
)
from demo.replay.cast import Cast
from demo.replay.clock import SimulatedClock
from demo.replay.markers import replay_key
from demo.replay.shapes import NetworkShape
from members.models import Firm, User
from orders.models import RFQ, Order, Payment, TeamMember
from orders.money import BASIS_POINTS, split_largest_remainder
from orders.selectors import owed_on
from orders.services.deliveries import delivery_receive, delivery_record
from orders.services.payments import fault_claim_record, payment_record, refund_issue
from orders.services.payouts import payout_batch_close, payout_batch_create, payout_batch_discard
from orders.services.teams import TeamMemberInput, team_member_answer, team_set
from orders.services.teams import work_package_update as work_package_move

# The office and the firms work these hours on working days (any network's clock aside).
DAY_OPENS = datetime.time(8, 30)
DAY_CLOSES = datetime.time(18, 0)
ESTIMATE_VALID_DAYS = 30
DEPOSIT_SHARE = 0.3
DECLINE_REASONS = (
    "予算を超えるため見送ります。",
    "納期が合わないため。",
    "社内で製作することになりました。",
    "プロジェクトが延期になりました。",
    "他社に発注しました。",
)


def minutes(count: float) -> datetime.timedelta:
    return datetime.timedelta(minutes=count)


def hours(count: float) -> datetime.timedelta:
    return datetime.timedelta(hours=count)


def days(count: float) -> datetime.timedelta:
    return datetime.timedelta(days=count)


def log_normal_minutes(rng: random.Random, median: float, spread: float = 0.7) -> float:
    """Return a delay around `median` minutes with a long tail, as people's delays go."""
    return median * math.exp(rng.gauss(0, spread))


def round_price(amount: float) -> int:
    """Return a price as people write it: to the hundred, to the thousand above ¥100,000."""
    step = 1_000 if amount >= 100_000 else 100
    return max(int(amount // step * step), step)


@dataclass
class RequestContext:
    """What the replay remembers of one request while the year runs."""

    plan: PlannedRequest
    rng: random.Random
    rfq_id: int
    customer: User
    order_id: int | None = None
    estimate_scheduled: bool = False
    parts_open: int = 0
    extra: dict = field(default_factory=dict)


@dataclass
class YearTally:
    """What happened, counted as the year runs (the figures come from the database)."""

    requests: int = 0
    follow_on_requests: int = 0
    orders: int = 0
    payments: int = 0
    payouts: int = 0
    sweeps: int = 0
    deadlines_fired: int = 0
    steps: int = 0
    left_open: int = 0  # steps that would fall after the replayed period


class NetworkYear:
    """The shared steps of a year; a subclass per policy adds its own."""

    def __init__(
        self,
        *,
        cast: Cast,
        shape: NetworkShape,
        seed: int,
        start: datetime.datetime,
        end: datetime.datetime,
        clock: SimulatedClock,
        progress: Callable[["NetworkYear"], None] | None = None,
    ):
        self.cast = cast
        self.network = cast.network
        self.tz = self.network.tzinfo
        self.shape = shape
        self.seed = seed
        self.start = start
        self.end = end
        self.clock = clock
        self.progress = progress
        self.queue: list = []
        self.sequence = itertools.count()
        self.requests: dict[int, RequestContext] = {}
        self.orders: dict[int, RequestContext] = {}
        self.refusals: collections.Counter = collections.Counter()
        self.tally = YearTally()
        self.next_index = 0
        # People keep the days off their network's clock skips: its office's closing days
        # and, where it counts business hours, the national holidays.
        self.closing_days = set(self.network.closing_days.values_list("date", flat=True))
        self.national_holidays = (
            national_holidays_for(self.network.time_zone)
            if self.network.use_business_hours
            else no_national_holidays
        )
        self.capability_by_code: dict[str, Capability] = {}
        self.swept_at: set[datetime.datetime] = set()

    # --- The queue -----------------------------------------------------------------------

    def at(self, when: datetime.datetime, step: Callable, *args) -> None:
        """Schedule `step(*args)` at `when`; what falls after the period is left open."""
        if when >= self.end:
            self.tally.left_open += 1
            return
        heapq.heappush(self.queue, (max(when, self.clock.now()), next(self.sequence), step, args))

    def run(self, plans: list[PlannedRequest]) -> None:
        """Replay the year: every planned request, the contacts and the monthly payouts."""
        self.next_index = len(plans) + 1
        for plan in plans:
            self.at(plan.at, self.arrive, plan)
        for when, firm_id in self.directory_contact_times():
            self.at(when, self.directory_contact, firm_id)
        for when in self.payout_times():
            self.at(when, self.payout)
        period = (self.end - self.start).total_seconds()
        reported = -1
        while self.queue:
            when, _, step, args = heapq.heappop(self.queue)
            self.clock.advance_to(when)
            step(*args)
            self.tally.steps += 1
            done = int(100 * (when - self.start).total_seconds() / period)
            if self.progress is not None and done > reported:
                reported = done
                self.progress(self)
        self.clock.advance_to(self.end)
        self.sweep()

    @property
    def fraction_done(self) -> float:
        elapsed = (self.clock.now() - self.start).total_seconds()
        return min(max(elapsed / (self.end - self.start).total_seconds(), 0.0), 1.0)

    def act(self, label: str, service: Callable, **kwargs):
        """Call a service as a person would; a refusal is counted, not raised."""
        try:
            return service(**kwargs)
        except (Refusal, ValidationError) as refusal:
            message = getattr(refusal, "messages", None) or [str(refusal)]
            self.refusals[f"{label}: {' '.join(message)}"] += 1
            return None

    # --- Working time --------------------------------------------------------------------

    def is_working_day(self, day: datetime.date) -> bool:
        if day.weekday() >= 5 or day in self.closing_days:
            return False
        if day in self.national_holidays(day.year):
            return False
        return (day.month, day.day) not in QUIET_DAYS

    def working(self, moment: datetime.datetime) -> datetime.datetime:
        """Return `moment`, or the next opening of a working day if it falls outside one."""
        local = moment.astimezone(self.tz)
        for _ in range(30):
            day = local.date()
            opens = datetime.datetime.combine(day, DAY_OPENS, tzinfo=self.tz)
            closes = datetime.datetime.combine(day, DAY_CLOSES, tzinfo=self.tz)
            if self.is_working_day(day) and local < closes:
                return max(local, opens).astimezone(datetime.UTC)
            local = datetime.datetime.combine(day + days(1), DAY_OPENS, tzinfo=self.tz)
        return moment

    def working_after(self, rng: random.Random, delay: datetime.timedelta) -> datetime.datetime:
        """Return a working moment `delay` from now, a few minutes into the day if pushed."""
        target = self.clock.now() + delay
        moved = self.working(target)
        if moved != target:
            moved += minutes(rng.uniform(5, 90))
        return moved

    def local_moment(self, day: datetime.date, time: datetime.time) -> datetime.datetime:
        return datetime.datetime.combine(day, time, tzinfo=self.tz).astimezone(datetime.UTC)

    def today(self) -> datetime.date:
        return self.clock.now().astimezone(self.tz).date()

    # --- Deadlines -----------------------------------------------------------------------

    def schedule_sweeps(self, rfq_id: int) -> None:
        """Sweep at each of the request's pending deadlines, as the beat's sweeper would."""
        for due_at in Deadline.objects.filter(
            rfq_id=rfq_id, fired_at__isnull=True, cancelled_at__isnull=True
        ).values_list("due_at", flat=True):
            if due_at not in self.swept_at:
                self.swept_at.add(due_at)
                self.at(due_at, self.sweep)

    def sweep(self) -> None:
        """Fire every deadline due now, batch by batch, exactly as the sweeper task does."""
        self.tally.sweeps += 1
        # Most deadlines are cancelled before they fall due (the estimate went out): one
        # cheap look saves the sweeper's locking read when nothing is due.
        due = Deadline.objects.filter(
            due_at__lte=self.clock.now(), fired_at__isnull=True, cancelled_at__isnull=True
        )
        if not due.exists():
            return
        while True:
            claimed = deadlines_fire_due(now=self.clock.now())
            self.tally.deadlines_fired += claimed
            if not claimed:
                break

    # --- Requests ------------------------------------------------------------------------

    def rfq_input(self, plan: PlannedRequest) -> RFQInput:
        template = plan.template
        return RFQInput(
            title=plan.title,
            description=template.description_ja,
            kind=RFQ.Kind.PRODUCTION if plan.is_follow_on else template.kind,
            quantity=plan.quantity,
            material=template.material,
            requirements=tuple(
                RequirementInput(capability_code=code, min_grade=grade)
                for code, grade in template.requirements
            ),
            desired_date=plan.desired_date,
            budget_min=plan.budget_min,
            budget_max=plan.budget_max,
            confidential=plan.confidential,
            urgency=plan.urgency,
            channel=plan.channel,
        )

    def arrive(self, plan: PlannedRequest) -> None:
        """A request comes in (by web, or keyed in by the office), is routed and announced."""
        rng = request_rng(self.seed, self.shape.slug, plan.index)
        customer = self.cast.customer(plan.customer_index, plan.customer_type)
        if plan.is_follow_on:
            rfq = self.act(
                "follow-on request",
                order_follow_on_request,
                order_id=plan.follow_on_of_order,
                user=customer,
                data=self.rfq_input(plan),
                idempotency_key=replay_key(self.seed, plan.index),
            )
            self.tally.follow_on_requests += rfq is not None
        else:
            keyed_in = plan.channel != RFQ.Channel.WEB
            rfq = self.act(
                "submit",
                rfq_submit,
                network=self.network,
                customer=customer,
                entered_by=self.cast.office_user if keyed_in else None,
                data=self.rfq_input(plan),
                submitted_at=self.clock.now(),
                idempotency_key=replay_key(self.seed, plan.index),
            )
        if rfq is None:
            return
        self.tally.requests += 1
        # The routing task runs right after commit in production; here, at once.
        rfq_route_submitted(rfq_id=rfq.pk)
        context = RequestContext(plan=plan, rng=rng, rfq_id=rfq.pk, customer=customer)
        self.requests[rfq.pk] = context
        self.schedule_sweeps(rfq.pk)
        if self.rfq_state(context)[0] == RFQ.Status.TRIAGE:
            # Nobody covers it: the office looks at it within a few working hours.
            delay = hours(rng.uniform(1, 6))
            self.at(self.working_after(rng, delay), self.office_triages, context)
            return
        self.after_routing(context)

    def office_triages(self, context: RequestContext) -> None:
        """The office finds no member for a request nobody covers, and closes it saying so."""
        status, _ = self.rfq_state(context)
        if status == RFQ.Status.TRIAGE:
            self.act(
                "office closes triage",
                rfq_triage_close,
                rfq_id=context.rfq_id,
                user=self.cast.office_user,
                note="ネットワーク内に対応できる会員企業がないため、今回はお受けできません。",
            )

    def after_routing(self, context: RequestContext) -> None:
        """Schedule what the policy's people do once the request is routed."""
        raise NotImplementedError

    def rfq_state(self, context: RequestContext) -> tuple[str, int | None]:
        """Return the request's status and leader firm as they are now."""
        return RFQ.objects.values_list("status", "leader_firm_id").get(pk=context.rfq_id)

    def office_cancel(self, context: RequestContext, reason: str) -> None:
        status, _ = self.rfq_state(context)
        if status in RFQ.OPEN_STATUSES:
            self.act(
                "office cancels",
                rfq_cancel,
                rfq_id=context.rfq_id,
                user=self.cast.office_user,
                reason=reason,
            )

    # --- Estimates and the customer's decision -------------------------------------------

    def fitted_lines(self, lines: list[EstimateLineInput]) -> list[EstimateLineInput]:
        """Scale lines so the estimate stays within the network's range of job values."""
        low, high = self.shape.value_range
        subtotal = sum(line.amount for line in lines)
        if low <= subtotal <= high:
            return lines
        target = min(max(subtotal, low), high)
        amounts = split_largest_remainder(target, [max(line.amount, 1) for line in lines])
        return [
            EstimateLineInput(
                firm_id=line.firm_id,
                description=line.description,
                amount=amount,
                work_package=line.work_package,
            )
            for line, amount in zip(lines, amounts, strict=True)
        ]

    def estimate_issue(
        self,
        context: RequestContext,
        *,
        user: User,
        lines: list[EstimateLineInput],
        lead_time_days: int,
    ) -> None:
        """Compose and send the estimate, then let the customer think it over."""
        estimate = self.act(
            "compose estimate",
            estimate_create,
            rfq_id=context.rfq_id,
            user=user,
            lines=self.fitted_lines(lines),
            lead_time_days=lead_time_days,
            valid_until=self.today() + days(ESTIMATE_VALID_DAYS),
        )
        if estimate is None:
            return
        if self.act("send estimate", estimate_send, estimate_id=estimate.pk, user=user) is None:
            return
        context.extra["lead_time_days"] = lead_time_days
        rng = context.rng
        thinking = days(rng.uniform(0.2, 12)) if not context.plan.is_follow_on else days(3)
        self.at(self.working_after(rng, thinking), self.customer_decides, context, estimate.pk)

    def customer_decides(self, context: RequestContext, estimate_id: int) -> None:
        rng = context.rng
        if rng.random() < context.plan.accept_rate:
            order = self.act(
                "accept estimate", estimate_accept, estimate_id=estimate_id, user=context.customer
            )
            if order is not None:
                self.order_signed(context, order)
        else:
            self.act(
                "decline estimate",
                estimate_decline,
                estimate_id=estimate_id,
                user=context.customer,
                reason=rng.choice(DECLINE_REASONS),
            )

    # --- The order's path ------------------------------------------------------------------

    def order_signed(self, context: RequestContext, order: Order) -> None:
        self.tally.orders += 1
        context.order_id = order.pk
        self.orders[order.pk] = context
        self.at(
            self.working_after(context.rng, hours(context.rng.uniform(1, 20))),
            self.team_assemble,
            context,
        )

    def team_parts(self, context: RequestContext, order: Order) -> list[TeamMemberInput]:
        """Return the team from the accepted estimate: one part per firm, shares by amount."""
        by_firm: dict[int, dict] = {}
        for line in order.estimate.lines.order_by("position", "id"):
            part = by_firm.setdefault(line.firm_id, {"amount": 0, "packages": []})
            part["amount"] += line.amount
            part["packages"].append(line.work_package or line.description)
        firms = list(by_firm)
        shares = split_largest_remainder(
            BASIS_POINTS, [max(by_firm[firm]["amount"], 1) for firm in firms]
        )
        start = self.today()
        lead = context.extra.get("lead_time_days", 14)
        return [
            TeamMemberInput(
                firm_id=firm_id,
                work_package="; ".join(by_firm[firm_id]["packages"])[:200],
                role=TeamMember.Role.LEADER
                if firm_id == order.leader_firm_id
                else TeamMember.Role.MEMBER,
                share_bps=share,
                **self.part_details(context, firm_id),
                planned_start=start,
                planned_finish=start + days(max(int(lead * context.rng.uniform(0.6, 1.0)), 1)),
            )
            for firm_id, share in zip(firms, shares, strict=True)
        ]

    def part_details(self, context: RequestContext, firm_id: int) -> dict:
        """Return a part's phase or quantity, where the policy splits work that way."""
        return {}

    def team_assemble(self, context: RequestContext) -> None:
        order = Order.objects.select_related("estimate", "network", "rfq").get(pk=context.order_id)
        leader = self.cast.firm_users[order.leader_firm_id]
        members = self.team_parts(context, order)
        parts = self.act("assemble team", team_set, order_id=order.pk, user=leader, members=members)
        if parts is None:
            return
        context.parts_open = len(parts)
        for part in parts:
            delay = hours(context.rng.uniform(0.5, 30))
            self.at(
                self.working_after(context.rng, delay), self.part_confirm, context, part.firm_id
            )

    def part_confirm(self, context: RequestContext, firm_id: int) -> None:
        self.act(
            "confirm part",
            team_member_answer,
            order_id=context.order_id,
            user=self.cast.firm_users[firm_id],
            accept=True,
        )
        status = Order.objects.values_list("status", flat=True).get(pk=context.order_id)
        if status == Order.Status.IN_PRODUCTION:
            self.production_start(context)

    def production_start(self, context: RequestContext) -> None:
        """Every firm confirmed: schedule the work packages, and a deposit on a big order."""
        rng = context.rng
        order = Order.objects.get(pk=context.order_id)
        if order.total >= self.shape.deposit_from:
            deposit = int(order.total * DEPOSIT_SHARE)
            self.at(self.working_after(rng, days(rng.uniform(2, 10))), self.pay, context, deposit)
        for part in TeamMember.objects.filter(order_id=order.pk).order_by("position", "id"):
            finish = part.planned_finish or self.today() + days(14)
            # Work runs a little early or late against the plan.
            done_on = finish + days(round(rng.gauss(0, 2)))
            done_on = max(done_on, self.today())
            self.at(
                self.local_moment(done_on, datetime.time(16, 0)),
                self.part_done,
                context,
                part.pk,
                part.firm_id,
            )

    def part_done(self, context: RequestContext, part_id: int, firm_id: int) -> None:
        moved = self.act(
            "finish work package",
            work_package_move,
            order_id=context.order_id,
            part_id=part_id,
            user=self.cast.firm_users[firm_id],
            state=TeamMember.State.DONE,
            on=self.today(),
        )
        if moved is None:
            return
        context.parts_open -= 1
        if context.parts_open == 0:
            self.at(
                self.working_after(context.rng, hours(context.rng.uniform(2, 30))),
                self.deliver,
                context,
            )

    def deliver(self, context: RequestContext) -> None:
        order = Order.objects.get(pk=context.order_id)
        delivery = self.act(
            "deliver",
            delivery_record,
            order_id=order.pk,
            user=self.cast.firm_users[order.leader_firm_id],
            description="納品（検査成績書同梱）",
            quantity=context.plan.quantity,
            is_final=True,
        )
        if delivery is not None:
            self.at(
                self.working_after(context.rng, days(context.rng.uniform(1, 3))),
                self.receive,
                context,
                delivery.pk,
            )

    def receive(self, context: RequestContext, delivery_id: int) -> None:
        received = self.act(
            "receive",
            delivery_receive,
            order_id=context.order_id,
            delivery_id=delivery_id,
            user=context.customer,
        )
        if received is None:
            return
        rng = context.rng
        self.at(
            self.working_after(rng, days(rng.uniform(*self.shape.payment_days))),
            self.pay,
            context,
            None,
        )
        if rng.random() < self.shape.fault_rate:
            self.at(self.working_after(rng, days(rng.uniform(3, 20))), self.fault, context)
        self.skills_learned(context)
        if (
            context.plan.template.kind == RFQ.Kind.PROTOTYPE
            and not context.plan.is_follow_on
            and rng.random() < self.shape.follow_on_rate
        ):
            self.at(self.clock.now() + days(rng.uniform(14, 90)), self.follow_on, context)

    def pay(self, context: RequestContext, amount: int | None) -> None:
        """The customer's transfer arrives; the office records it and it is split at once."""
        order = Order.objects.select_related("network").get(pk=context.order_id)
        owed = owed_on(order)
        amount = owed if amount is None else min(amount, owed)
        if amount <= 0:
            return
        payment = self.act(
            "record payment",
            payment_record,
            order_id=order.pk,
            user=self.cast.office_user,
            amount=amount,
            method=Payment.Method.BANK_TRANSFER,
            received_at=self.clock.now(),
            # Each transfer has its own bank reference: an instalment is another transfer.
            reference=f"振込 {order.pk}-{Payment.objects.filter(order=order).count() + 1}",
        )
        self.tally.payments += payment is not None

    def fault(self, context: RequestContext) -> None:
        """A product fault: the responsible member pays damages, refunded to the customer."""
        rng = context.rng
        parts = list(
            TeamMember.objects.filter(order_id=context.order_id).values_list("firm_id", flat=True)
        )
        order = Order.objects.get(pk=context.order_id)
        damages = round_price(order.subtotal * rng.uniform(0.05, 0.2))
        claim = self.act(
            "fault claim",
            fault_claim_record,
            order_id=order.pk,
            user=self.cast.office_user,
            firm_id=rng.choice(parts),
            amount=damages,
            description="研磨ムラによる再仕上げ費用（研磨技術基準の等級未達）",
        )
        if claim is not None:
            self.act(
                "refund damages",
                refund_issue,
                order_id=order.pk,
                user=self.cast.office_user,
                amount=damages,
                reason="不良分の損害を返金します。",
                source="damages",
            )

    def follow_on(self, context: RequestContext) -> None:
        """A satisfied prototype customer comes back for production."""
        index = self.next_index
        self.next_index += 1
        plan = plan_follow_on(
            seed=self.seed,
            shape=self.shape,
            original=context.plan,
            index=index,
            order_id=context.order_id,
            at=self.clock.now(),
            tz=self.tz,
        )
        self.arrive(plan)

    def skills_learned(self, context: RequestContext) -> None:
        """In a set order, a team member may learn the skill it lacked from its teammates."""
        if not context.plan.template.is_set:
            return
        rng = context.rng
        codes = [code for code, _ in context.plan.template.requirements]
        for firm_id in TeamMember.objects.filter(order_id=context.order_id).values_list(
            "firm_id", flat=True
        ):
            known = self.cast.capabilities.get(firm_id, {})
            # Processes are what a firm learns; materials come with them.
            lacking = [c for c in codes if c not in known and not c.startswith("material.")]
            if not lacking or rng.random() >= self.shape.skill_learning_rate:
                continue
            code = rng.choice(lacking)
            capability = self.capability(code)
            firm = Firm.objects.get(pk=firm_id)
            learned = self.act(
                "learn skill",
                firm_capability_set,
                firm=firm,
                capability=capability,
                grade=2,
                since=self.today(),
                acquired_through_order_id=context.order_id,
                notes="受注案件を通じて習得",
                changed_by=self.cast.firm_users[firm_id],
            )
            if learned is not None:
                self.cast.learn(firm_id, code, 2)
            return

    def capability(self, code: str) -> Capability:
        if code not in self.capability_by_code:
            self.capability_by_code[code] = Capability.objects.get(code=code)
        return self.capability_by_code[code]

    # --- Around the requests: directory contacts and payouts ------------------------------

    def directory_contact_times(self) -> list[tuple[datetime.datetime, int]]:
        """Return when customers write to member firms directly, found on the directory."""
        rng = random.Random(f"replay:{self.seed}:{self.shape.slug}:directory")
        firms = sorted(self.cast.firm_users)
        period = (self.end - self.start).total_seconds()
        return sorted(
            (
                self.start + datetime.timedelta(seconds=rng.uniform(0, period)),
                rng.choice(firms),
            )
            for _ in range(self.shape.directory_contacts_per_year)
        )

    def directory_contact(self, firm_id: int) -> None:
        rng = random.Random(f"replay:{self.seed}:{self.shape.slug}:contact:{self.clock.now()}")
        codes = sorted(self.cast.capabilities.get(firm_id, {}))
        code = rng.choice(codes) if codes else None
        index = rng.randrange(10_000)
        self.act(
            "directory contact",
            directory_contact_create,
            firm=self.cast.firm_users[firm_id].firm,
            network=self.network,
            capability=self.capability(code) if code else None,
            sender_name=f"問い合わせ {index:04d}",
            sender_email=f"direct-{index:04d}@replay.example.jp",
            sender_organization="",
            message="サイトで御社を拝見しました。直接ご相談したい案件があります。",
        )

    def payout_times(self) -> list[datetime.datetime]:
        """Return the 25th of each month (or the working day before), 10:00: payout day."""
        moments = []
        day = self.start.astimezone(self.tz).date().replace(day=25)
        while True:
            payday = day
            while not self.is_working_day(payday):
                payday -= days(1)
            moment = self.local_moment(payday, datetime.time(10, 0))
            if moment >= self.end:
                return moments
            if moment >= self.start:
                moments.append(moment)
            day = (day.replace(day=1) + days(32)).replace(day=25)

    def payout(self) -> None:
        """Pay every member what it is owed, through a batch the office opens and closes."""
        office = self.cast.office_user
        batch = self.act(
            "open payout",
            payout_batch_create,
            network_id=self.network.pk,
            user=office,
            transfer_date=self.today() + days(3),
        )
        if batch is None:
            return
        if batch.line_count:
            closed = self.act("close payout", payout_batch_close, batch_id=batch.pk, user=office)
            self.tally.payouts += closed is not None
        else:
            payout_batch_discard(batch_id=batch.pk, user=office)
