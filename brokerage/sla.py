"""The estimate clock's record: how often each network and member kept its windows.

Figures come from the event log (when each estimate was first sent) and the invitations
(when each firm was asked and when it answered), so they can be recomputed at any time.
"""

import datetime
import statistics
from dataclasses import dataclass

from django.db.models import Min

from brokerage.models import Deadline, Invitation
from brokerage.policies import policy_for
from members.models import Network
from orders.models import RFQ, Event


@dataclass(frozen=True)
class StageSla:
    """How often one promise of the network's policy was kept: its requests that reached
    the stage, those kept by the time due, those broken (late or not kept yet when due)."""

    stage: str
    due_by: str
    started: int
    kept: int
    breached: int
    median_minutes: float | None

    @property
    def share_kept(self) -> float | None:
        closed = self.kept + self.breached
        return self.kept / closed if closed else None


@dataclass(frozen=True)
class NetworkSla:
    requests: int
    estimated: int
    estimated_in_window: int
    breached: int
    median_minutes_to_estimate: float | None
    stages: tuple[StageSla, ...] = ()

    @property
    def share_in_window(self) -> float | None:
        return self.estimated_in_window / self.estimated if self.estimated else None


@dataclass(frozen=True)
class MemberSla:
    firm_id: int
    firm_name: str
    invited: int
    answered: int
    no_response: int
    median_minutes_to_answer: float | None

    @property
    def response_rate(self) -> float | None:
        closed = self.answered + self.no_response
        return self.answered / closed if closed else None


def minutes(delta: datetime.timedelta) -> float:
    return round(delta.total_seconds() / 60, 1)


def network_sla(
    network: Network, *, since: datetime.datetime, until: datetime.datetime
) -> NetworkSla:
    """Return the network's estimate record for requests submitted in [since, until)."""
    requests = RFQ.objects.filter(network=network, submitted_at__gte=since, submitted_at__lt=until)
    first_sent = dict(
        Event.objects.filter(rfq__in=requests, kind="estimate.sent")
        .values("rfq_id")
        .annotate(first=Min("at"))
        .values_list("rfq_id", "first")
    )
    breached = (
        Event.objects.filter(rfq__in=requests, kind="deadline.estimate")
        # An interview's or a planning meeting's breach is its stage's, not the estimate's.
        .exclude(data__stage__in=[Deadline.Stage.INTERVIEW, Deadline.Stage.PLANNING])
        .values("rfq_id")
        .distinct()
        .count()
    )
    durations, in_window = [], 0
    for rfq_id, submitted_at, due_at in requests.values_list(
        "id", "submitted_at", "estimate_due_at"
    ):
        sent = first_sent.get(rfq_id)
        if sent is None:
            continue
        durations.append(minutes(sent - submitted_at))
        in_window += due_at is None or sent <= due_at
    return NetworkSla(
        requests=requests.count(),
        estimated=len(durations),
        estimated_in_window=in_window,
        breached=breached,
        median_minutes_to_estimate=round(statistics.median(durations), 1) if durations else None,
        stages=stage_slas(network, requests),
    )


def first_times(requests, kind: str) -> dict[int, datetime.datetime]:
    return dict(
        Event.objects.filter(rfq__in=requests, kind=kind)
        .values("rfq_id")
        .annotate(first=Min("at"))
        .values_list("rfq_id", "first")
    )


def stage_slas(network: Network, requests) -> tuple[StageSla, ...]:
    """Return each stage's record for the requests: a stage starts when the one before it
    is kept (the first at submission) and is kept by its event, on time if by its due time.
    """
    started_at = dict(requests.values_list("id", "submitted_at"))
    records = []
    for stage in policy_for(network).stages:
        kept_at = first_times(requests, stage.kept_by)
        promises = Deadline.objects.filter(
            rfq__in=requests, round=1, kind=Deadline.Kind.ESTIMATE, stage=stage.code
        ).values_list("rfq_id", "due_at", "fired_at")
        kept = breached = 0
        durations = []
        for rfq_id, due_at, fired_at in promises:
            at = kept_at.get(rfq_id)
            if at is not None and rfq_id in started_at:
                durations.append(minutes(at - started_at[rfq_id]))
            if at is not None and at <= due_at:
                kept += 1
            # Kept late, or due and not kept; a request that ended before was not late.
            elif at is not None or fired_at is not None:
                breached += 1
        records.append(
            StageSla(
                stage=stage.code,
                due_by=stage.due_by,
                started=len(promises),
                kept=kept,
                breached=breached,
                median_minutes=round(statistics.median(durations), 1) if durations else None,
            )
        )
        started_at = kept_at
    return tuple(records)


def member_sla(
    network: Network, *, since: datetime.datetime, until: datetime.datetime
) -> list[MemberSla]:
    """Return each invited firm's answer record for the network's requests in the period."""
    invitations = (
        Invitation.objects.filter(rfq__network=network, created_at__gte=since, created_at__lt=until)
        # A board vote closed as not needed was never the member's to answer.
        .exclude(status=Invitation.Status.NOT_NEEDED)
        .select_related("firm")
        .order_by("firm_id")
    )
    by_firm: dict[int, dict] = {}
    for invitation in invitations:
        record = by_firm.setdefault(
            invitation.firm_id,
            {"name": invitation.firm.name, "invited": 0, "answered": 0, "silent": 0, "times": []},
        )
        record["invited"] += 1
        if invitation.status in Invitation.ANSWERED and invitation.answered_at:
            record["answered"] += 1
            record["times"].append(minutes(invitation.answered_at - invitation.created_at))
        elif invitation.status == Invitation.Status.NO_RESPONSE:
            record["silent"] += 1
    return [
        MemberSla(
            firm_id=firm_id,
            firm_name=record["name"],
            invited=record["invited"],
            answered=record["answered"],
            no_response=record["silent"],
            # A tenth of a minute is as fine as an answer time is read (and no float noise).
            median_minutes_to_answer=round(statistics.median(record["times"]), 1)
            if record["times"]
            else None,
        )
        for firm_id, record in by_firm.items()
    ]
