"""What every step on an order needs: the locked order, who the actor is, links, texts."""

from django.urls import reverse
from django.utils.translation import gettext as _

from brokerage.models import TeamMember
from brokerage.roles import firm_people, office_people
from core import access
from core.errors import InvalidTransition
from members.models import Network, User
from orders.models import Order


def order_locked(order_id: int) -> Order:
    """Return the order locked for update, after its network's row.

    Every money step locks the network first, then the order, always in that order: the
    payout of a network's members and a payment on one of its orders then run one after
    the other, so a balance read to decide is still the balance when it is written.
    """
    network_id = Order.objects.filter(pk=order_id).values_list("network_id", flat=True).first()
    if network_id is None:
        raise InvalidTransition(_("This order does not exist."))
    Network.objects.select_for_update().filter(pk=network_id).values_list("pk").first()
    return (
        Order.objects.select_for_update(of=("self",))
        .select_related("network", "rfq", "customer", "leader_firm")
        .get(pk=order_id)
    )


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
