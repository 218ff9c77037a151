"""The customer rates a delivered order: quality, delivery and communication, 1 to 5 each.

Once per order: rating again within the change window (ORDER_RATING_CHANGE_DAYS after the
first rating) changes it. Each rating and change goes on the order's timeline, and the
team's firms and the network's office are told.
"""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from core import access, clock
from core.errors import InvalidTransition, NotAllowed, Refusal
from members.models import User
from members.notifications import notifications_create
from members.selectors import firm_people, office_people
from orders.locks import order_lock
from orders.models import Order, Rating
from orders.models.ratings import HIGHEST_SCORE, LOWEST_SCORE, SCORES
from orders.performance import rating_changeable_until
from orders.services.order_support import order_context, order_link
from orders.services.timeline import event_record

RATEABLE = (Order.Status.DELIVERED, Order.Status.COMPLETED)
COMMENT_MAX_LENGTH = 2000


def scores_checked(scores: dict[str, int]) -> None:
    """Refuse a score outside 1 to 5, naming every field that is."""
    wrong = {
        name: [
            _("Give the %(what)s from %(low)s to %(high)s.")
            % {
                "what": Rating._meta.get_field(name).verbose_name,
                "low": LOWEST_SCORE,
                "high": HIGHEST_SCORE,
            }
        ]
        for name, value in scores.items()
        if not isinstance(value, int) or not LOWEST_SCORE <= value <= HIGHEST_SCORE
    }
    if wrong:
        raise Refusal.of_fields(wrong)


@transaction.atomic
def order_rate(
    *,
    order_id: int,
    user: User,
    quality: int,
    delivery: int,
    communication: int,
    comment: str = "",
) -> Rating:
    """Rate a delivered order (its customer), or change the rating within the window."""
    order = order_lock(order_id)
    if not access.may_rate_order(user, order):
        raise NotAllowed(_("The customer who ordered rates the order."))
    if order.status not in RATEABLE:
        raise InvalidTransition(
            _("An order is rated once it is delivered; it is %(status)s.")
            % {"status": order.get_status_display().lower()}
        )
    scores = {"quality": quality, "delivery": delivery, "communication": communication}
    scores_checked(scores)
    comment = comment.strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise Refusal(
            _("Keep the comment under %(count)s characters.") % {"count": COMMENT_MAX_LENGTH},
            field="comment",
        )
    rating = Rating.objects.filter(order=order).first()
    if rating is None:
        rating = Rating.objects.create(order=order, rated_by=user, comment=comment, **scores)
        kind = "order.rated"
    else:
        if clock.now() > rating_changeable_until(rating):
            raise InvalidTransition(
                _("A rating can be changed for %(days)s days; this one can no longer be.")
                % {"days": settings.ORDER_RATING_CHANGE_DAYS}
            )
        for name, value in scores.items():
            setattr(rating, name, value)
        rating.comment = comment
        rating.save(update_fields=[*SCORES, "comment", "updated_at"])
        kind = "order.rating_changed"
    event = event_record(kind=kind, actor=user, order=order, data={"rating": rating.pk, **scores})
    team_firms = order.team_members.values_list("firm_id", flat=True)
    notifications_create(
        kind=kind,
        # Each change is news of its own: the event, not the rating, is the subject.
        subject_type="event",
        subject_id=event.pk,
        recipients=[*firm_people(team_firms), *office_people(order.network)],
        context={**order_context(order), **scores},
        link=order_link(order) + "#rating",
    )
    return rating
