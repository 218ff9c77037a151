"""Forming an order's team: the project leader or the office chooses the firms, their work
packages and shares, starting from the accepted estimate, the members' answers or a team
the matching engine proposes (brokerage.team_suggestions)."""

from functools import partial

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from brokerage.team_suggestions import team_suggestions
from core import access
from core.access import OFFICE_ROLES
from core.page_steps import carry_out, not_found
from members.models import Network
from orders.forms import (
    TeamForm,
    TeamMemberFormSet,
    share_percent,
)
from orders.models import Order, TeamMember
from orders.money import BASIS_POINTS, split_largest_remainder
from orders.page_selectors import (
    firm_names,
    team_firm_choices,
)
from orders.pages.orders import OFFICE_OR_LEADER, in_network_zone, order_url
from orders.selectors import (
    order_get_for_user,
    team_list_for_order,
)
from orders.services import teams

# The team formset's prefix, and how many empty rows "more firms" adds.
MEMBERS_PREFIX = "members"
MORE_ROWS = 2


# --- The team ---------------------------------------------------------------------------


def member_form_kwargs(order: Order) -> dict:
    return {
        "firm_choices": [(firm.pk, firm.name) for firm in team_firm_choices(order)],
        "phases": order.network.policy == Network.Policy.CONSULTATION,
    }


def equal_shares(count: int) -> list:
    return [share_percent(bps) for bps in split_largest_remainder(BASIS_POINTS, [1] * count)]


def team_starts(order: Order, suggestions: dict, names: dict[int, str]) -> dict[str, dict]:
    """Return the starting points a team form can be filled from, by key.

    They are only proposals for the person to change: the estimate's lines (shares by
    their amounts), the members' "can do" answers (shares by their prices) and each team
    the matching engine proposes (equal shares, each firm with the skills it covers).
    """
    leader = order.leader_firm_id

    def role(firm_id: int) -> str:
        return TeamMember.Role.LEADER if firm_id == leader else TeamMember.Role.MEMBER

    starts = {}
    if suggestions["from_estimate"]:
        starts["estimate"] = {
            "label": _("The accepted estimate's lines"),
            "rows": [
                {
                    "firm": item["firm"],
                    "role": item["role"],
                    "work_package": item["work_package"],
                    "share_percent": share_percent(item["share"]),
                }
                for item in suggestions["from_estimate"]
            ],
        }
    answers = suggestions["answers"]
    if answers and sum(answer["price"] for answer in answers):
        shares = split_largest_remainder(BASIS_POINTS, [answer["price"] for answer in answers])
        starts["answers"] = {
            "label": _("The members' “can do” answers"),
            "rows": [
                {
                    "firm": answer["firm"],
                    "role": role(answer["firm"]),
                    # What each firm does is for the person to write; the note is shown beside.
                    "work_package": "",
                    "share_percent": share_percent(share),
                }
                for answer, share in zip(answers, shares, strict=True)
            ],
        }
    requirement_names = {
        requirement.capability.code: requirement.capability.name
        for requirement in order.rfq.requirements.select_related("capability")
    }
    for index, team in enumerate(suggestions["teams"], start=1):
        skills: dict[int, list[str]] = {firm_id: [] for firm_id in team["firms"]}
        for code, firm_id in team["assignments"].items():
            skills.setdefault(firm_id, []).append(requirement_names.get(code, code))
        firm_ids = list(skills)
        starts[f"team-{index}"] = {
            "label": _("Proposed team %(number)s: %(firms)s")
            % {
                "number": index,
                "firms": ", ".join(names.get(firm_id, str(firm_id)) for firm_id in firm_ids),
            },
            "reason": team["reason"],
            "rows": [
                {
                    "firm": firm_id,
                    "role": role(firm_id),
                    "work_package": ", ".join(skills[firm_id])[:200],
                    "share_percent": share,
                }
                for firm_id, share in zip(firm_ids, equal_shares(len(firm_ids)), strict=True)
            ],
        }
    return starts


def rows_of_team(parts) -> list[dict]:
    return [
        {
            "firm": part.firm_id,
            "role": part.role,
            "work_package": part.work_package,
            "phase": part.phase,
            "quantity": part.quantity,
            "share_percent": share_percent(part.share_bps),
            "amount": part.amount,
            "planned_start": part.planned_start,
            "planned_finish": part.planned_finish,
        }
        for part in parts
    ]


def render_team_page(request, order: Order, *, bound=None, status=200, problem="", start=""):
    """Render the team form: the current team, or a starting point, with the suggestions."""
    bound = bound or {}
    parts = list(team_list_for_order(request.user, order))
    suggestions = team_suggestions(order)
    names = firm_names(firm_id for team in suggestions["teams"] for firm_id in team["firms"])
    starts = team_starts(order, suggestions, names)
    if start not in starts:
        start = "" if parts else next(iter(starts), "")
    formset = bound.get("member_formset")
    if formset is None:
        initial = starts[start]["rows"] if start else rows_of_team(parts)
        formset = TeamMemberFormSet(
            initial=initial, prefix=MEMBERS_PREFIX, form_kwargs=member_form_kwargs(order)
        )
    fee, rest = teams.distributable(order)
    context = {
        "order": order,
        "rfq": order.rfq,
        "network": order.network,
        "nav_section": "orders"
        if access.order_role(request.user, order) in OFFICE_ROLES
        else "teams",
        "parts": parts,
        "editable": order.status == Order.Status.TEAM_FORMING,
        "team_form": bound.get("team_form") or TeamForm(),
        "formset": formset,
        "starts": [(key, value) for key, value in starts.items()],
        "start": start,
        "answers": suggestions["answers"],
        "requirements": list(order.rfq.requirements.select_related("capability")),
        "office_fee": fee,
        "distributable": rest,
        "fee_percent": share_percent(order.network.office_fee_bps),
        "problem": problem,
    }
    return in_network_zone(
        order, lambda: render(request, "brokerage/team.html", context, status=status)
    )


@login_required
def order_team(request, order_id: int):
    """Assemble or change the order's team (the leader or the office)."""
    order = order_get_for_user(request.user, order_id)
    if access.order_role(request.user, order) not in OFFICE_OR_LEADER:
        raise not_found()
    if request.method != "POST":
        return render_team_page(request, order, start=request.GET.get("start", ""))
    team_form = TeamForm(request.POST)
    if "more" in request.POST:
        # More rows for more firms, keeping everything typed so far; nothing is saved.
        data = request.POST.copy()
        total = data.get(f"{MEMBERS_PREFIX}-TOTAL_FORMS", "")
        data[f"{MEMBERS_PREFIX}-TOTAL_FORMS"] = (
            str(int(total) + MORE_ROWS) if total.isdigit() else total
        )
        formset = TeamMemberFormSet(
            data, prefix=MEMBERS_PREFIX, form_kwargs=member_form_kwargs(order)
        )
        return render_team_page(
            request, order, bound={"team_form": team_form, "member_formset": formset}
        )
    formset = TeamMemberFormSet(
        request.POST, prefix=MEMBERS_PREFIX, form_kwargs=member_form_kwargs(order)
    )
    return in_network_zone(
        order,
        lambda: carry_out(
            request,
            forms={"team_form": team_form, "member_formset": formset},
            action=lambda: teams.team_set(
                order_id=order.pk, user=request.user, members=formset.member_inputs()
            ),
            done=_(
                "The team is saved. Each firm with a new or changed part is asked to confirm it."
            ),
            redirect_to=order_url(order, "#team"),
            render_again=partial(render_team_page, request, order),
        ),
    )
