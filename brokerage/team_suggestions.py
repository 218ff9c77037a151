"""Teams the office may form for an order: from the accepted estimate, the members' answers
and the matching engine. Brokering, not the order's own record: it reads the network's
policies and the members' load and response rates."""

from brokerage.models import Invitation
from brokerage.policies import (
    MEMBER_ROLES,
    open_load_by_firm,
    requirements_of,
    response_rate_by_firm,
)
from capabilities.matching.requirements import MatchingError
from capabilities.matching.teams import propose_teams
from orders.models import Order
from orders.money import BASIS_POINTS, split_largest_remainder

# --- Orders -----------------------------------------------------------------------------


def team_suggestions(order: Order) -> dict:
    """Suggest a team: from the accepted estimate's lines, the answers, the matching engine.

    The estimate's lines name the firms and what each would do for how much, so they give
    a ready team with shares in proportion to the line amounts. The 'can do' answers and
    the engine's smallest covering teams are alternatives to choose from.
    """
    lines = list(order.estimate.lines.select_related("firm").order_by("position", "id"))
    by_firm: dict[int, dict] = {}
    for line in lines:
        entry = by_firm.setdefault(
            line.firm_id,
            {"firm": line.firm_id, "firm_name": line.firm.name, "packages": [], "amount": 0},
        )
        entry["packages"].append(line.work_package or line.description)
        entry["amount"] += line.amount
    entries = list(by_firm.values())
    weights = [entry["amount"] for entry in entries]
    shares = (
        split_largest_remainder(BASIS_POINTS, weights)
        if entries and sum(weights)
        else split_largest_remainder(BASIS_POINTS, [1] * len(entries))
        if entries
        else []
    )
    from_estimate = [
        {
            "firm": entry["firm"],
            "firm_name": entry["firm_name"],
            "role": "leader" if entry["firm"] == order.leader_firm_id else "member",
            "work_package": "; ".join(entry["packages"])[:200],
            "share": share,
        }
        for entry, share in zip(entries, shares, strict=True)
    ]
    answers = [
        {
            "firm": invitation.firm_id,
            "firm_name": invitation.firm.name,
            "price": invitation.price,
            "lead_time_days": invitation.lead_time_days,
            "note": invitation.note,
        }
        for invitation in Invitation.objects.filter(
            rfq=order.rfq, status=Invitation.Status.CAN_DO, price__isnull=False
        )
        .exclude(purpose=Invitation.Purpose.BOARD)
        .select_related("firm")
        .order_by("rank", "id")
    ]
    try:
        proposals = propose_teams(
            network_id=order.network_id,
            requirements=requirements_of(order.rfq),
            roles=MEMBER_ROLES,
            open_load=open_load_by_firm(order.network),
            response_rate=response_rate_by_firm(order.network),
        )
    except MatchingError:
        proposals = []
    teams = [
        {
            "firms": list(proposal.firm_ids),
            "assignments": proposal.assignments,
            "reason": proposal.reason,
        }
        for proposal in proposals
    ]
    return {"from_estimate": from_estimate, "answers": answers, "teams": teams}


# --- Statements -------------------------------------------------------------------------
