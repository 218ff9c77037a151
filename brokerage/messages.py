"""What each notification says, in the recipient's language.

Titles and bodies are format strings marked for translation; `notification_texts`
renders one in a given language with the subject's details.
"""

from django.utils import translation
from django.utils.translation import gettext_lazy as _

CATALOGUE = {
    "rfq.received": (
        _("We received your request #{rfq}: {title}"),
        _("Your estimate is due by {due}. We will tell you as soon as it is ready."),
    ),
    "rfq.invited": (
        _("New request #{rfq} for your firm: {title}"),
        _("Please answer can do / cannot do by {answer_due}. The estimate is due by {due}."),
    ),
    "rfq.board_review": (
        _("Request #{rfq} awaits the administrative board: {title}"),
        _("Please decide whether the syndicate accepts it, by {answer_due}."),
    ),
    "rfq.no_bid": (
        _("Request #{rfq} could not be taken on: {title}"),
        _("We are sorry: {reason}"),
    ),
    "rfq.no_bid_office": (
        _("Request #{rfq} closed as no bid: {title}"),
        _("Reason: {reason}"),
    ),
    "rfq.routed_office": (
        _("Request #{rfq} routed to {count} firms: {title}"),
        _("The estimate is due by {due}."),
    ),
    "rfq.accepted_by_board": (
        _("Request #{rfq} accepted by the administrative board: {title}"),
        _("The firms in charge are forming the team."),
    ),
    "rfq.interview_scheduled": (
        _("Interview for your request #{rfq} on {when}"),
        _("Place: {place}"),
    ),
    "rfq.planning_invited": (
        _("Planning meeting for request #{rfq} on {when}: {title}"),
        _("Place: {place}"),
    ),
    "rfq.proposals_ready": (
        _("Proposals for your request #{rfq} are ready: {title}"),
        _("Compare the coordinator groups' proposals side by side and choose one."),
    ),
    "rfq.leader_designated": (
        _("{firm} leads request #{rfq}: {title}"),
        _("Designated because: {reason}."),
    ),
    "estimate.sent": (
        _("Your estimate for request #{rfq} is ready: {total}"),
        _("Lead time {lead_time_days} days, valid until {valid_until}."),
    ),
    "estimate.accepted": (
        _("The customer accepted the estimate for request #{rfq}: {title}"),
        _("Order #{order} is created; the team can now be assembled."),
    ),
    "estimate.declined": (
        _("The customer declined the estimate for request #{rfq}: {title}"),
        _("Reason given: {reason}"),
    ),
    "message.posted": (
        _("New message on request #{rfq}: {title}"),
        _("{author}: {excerpt}"),
    ),
}


def notification_texts(kind: str, language: str, context: dict) -> tuple[str, str]:
    """Return the title and body of a notification kind, rendered in `language`."""
    title, body = CATALOGUE[kind]
    with translation.override(language or "ja"):
        return str(title).format(**context), str(body).format(**context)
