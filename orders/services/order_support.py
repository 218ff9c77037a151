"""What every step on an order needs: who the actor is, links, texts."""

from django.urls import reverse

from core import access
from members.models import User
from members.selectors import firm_people, office_people
from orders.models import Order, TeamMember


def team_part_of(user: User, order: Order) -> TeamMember | None:
    """Return the part of the user's firm in the order's team, if it has one."""
    firm_id = access.viewer_of(user).firm_id
    if firm_id is None:
        return None
    return TeamMember.objects.filter(order=order, firm_id=firm_id).first()


def order_link(order: Order) -> str:
    return reverse("pages:order", args=[order.pk])


def order_context(order: Order) -> dict:
    """Return what notifications about an order may say."""
    return {"order": order.pk, "title": order.rfq.title, "network": order.network.slug}


def yen(amount: int) -> str:
    return f"¥{amount:,}"


def coordinators(order: Order) -> list[User]:
    """Return the people who run the order: the leader firm's and the office's."""
    return [*firm_people([order.leader_firm_id]), *office_people(order.network)]
