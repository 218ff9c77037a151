"""The estimate clock's record: how often each network and member kept its windows.

Figures come from the event log (when each estimate was first sent) and the invitations
(when each firm was asked and when it answered), so they can be recomputed at any time.
"""

import datetime
import statistics
from dataclasses import dataclass

from django.db.models import Min

from brokerage.models import Invitation
from members.models import Network
from orders.models import RFQ, Event


@dataclass(frozen=True)
class NetworkSla:
    requests: int
    estimated: int
    estimated_in_window: int
    breached: int
    median_minutes_to_estimate: float | None

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
    )


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
