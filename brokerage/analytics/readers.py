"""Who may read which network's figures: platform staff all of them, an office its own."""

from django.db.models import QuerySet

from core import access
from members.models import Network, User


def analytics_networks_for_user(user: User) -> QuerySet[Network]:
    """Return the networks whose figures the person may read: staff all, an office its own."""
    if not user.is_authenticated:
        return Network.objects.none()
    if user.is_staff:
        return Network.objects.order_by("slug")
    return Network.objects.filter(pk__in=access.office_network_ids(user)).order_by("slug")
