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
    "rfq.received_interview": (
        _("We received your request #{rfq}: {title}"),
        _(
            "The network office will hold an interview with you by {due} to understand what "
            "you need; planning and the estimate follow."
        ),
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
    "rfq.withdrawn_office": (
        _("The customer withdrew request #{rfq}: {title}"),
        _("The members were told to stop. The customer's note: {note}"),
    ),
    "rfq.cancelled_customer": (
        _("Your request #{rfq} is closed by the network: {title}"),
        _("The timeline of your request says why."),
    ),
    "rfq.closed_member": (
        _("Request #{rfq} is closed: {title}"),
        _("You need not answer or prepare anything more for it."),
    ),
    "rfq.triage": (
        _("The network's office is looking for firms for your request #{rfq}: {title}"),
        _(
            "No member firm matched it at once. The office checks what it needs and looks "
            "for firms that can do it; we will tell you what it decided by {closes}."
        ),
    ),
    "rfq.triage_office": (
        _("Request #{rfq} needs triage: {title}"),
        _(
            "{reason} Correct its requirements, invite firms by hand or close it; "
            "it closes as no bid at {closes}."
        ),
    ),
    "rfq.triage_routed": (
        _("Member firms are answering your request #{rfq}: {title}"),
        _("The network's office found firms for it. We will tell you when your estimate is ready."),
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
        _("Place: {place}. Please answer can do / cannot do by {answer_due}."),
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
    "estimate.expired": (
        _("Your estimate for request #{rfq} has expired: {title}"),
        _("Version {version} was valid until {valid_until}. Ask the network to re-issue it."),
    ),
    "estimate.expired_office": (
        _("The estimate for request #{rfq} expired unanswered: {title}"),
        _("Version {version} was valid until {valid_until}. You may re-issue it."),
    ),
    "estimate.reissued": (
        _("Your estimate for request #{rfq} is re-issued: {total}"),
        _("Lead time {lead_time_days} days, now valid until {valid_until}."),
    ),
    "estimate.accepted": (
        _("The customer accepted the estimate for request #{rfq}: {title}"),
        _("Order #{order} is created; the team can now be assembled."),
    ),
    "estimate.declined": (
        _("The customer declined the estimate for request #{rfq}: {title}"),
        _("Reason given: {reason}"),
    ),
    "deadline.answer_overdue": (
        _("Please answer request #{rfq} now: {title}"),
        _("The time to answer has passed. The estimate is due by {due}."),
    ),
    "deadline.answers_missing_office": (
        _("{count} firms have not answered request #{rfq}: {title}"),
        _("The estimate is due by {due}."),
    ),
    "deadline.answer_reminder": (
        _("Please answer request #{rfq} by {answer_due}: {title}"),
        _("Your firm has not answered yet. The estimate is due by {due}."),
    ),
    "deadline.reminder": (
        _("Estimate for request #{rfq} due in {minutes} minutes: {title}"),
        _("It is due by {due}."),
    ),
    "deadline.estimate_breached": (
        _("URGENT: the estimate for request #{rfq} is overdue: {title}"),
        _("It was due by {due}. Designate a leader or send the estimate now."),
    ),
    "deadline.estimate_late_customer": (
        _("Your estimate for request #{rfq} is taking longer"),
        _(
            "We are sorry: it was due by {due}. The network office has been alerted and "
            "will send it as soon as possible."
        ),
    ),
    "deadline.interview_reminder": (
        _("Interview for request #{rfq} due by {due}: {title}"),
        _("The network promised the customer an interview by then. Please hold it in time."),
    ),
    "deadline.interview_breached": (
        _("URGENT: the interview for request #{rfq} is overdue: {title}"),
        _("It was due by {due}. Hold the interview with the customer and record it now."),
    ),
    "deadline.interview_late_customer": (
        _("Your interview for request #{rfq} is taking longer"),
        _(
            "We are sorry: it was due by {due}. The network office has been alerted and "
            "will arrange it as soon as possible."
        ),
    ),
    "deadline.planning_reminder": (
        _("Planning meeting for request #{rfq} due by {due}: {title}"),
        _("The network promised the customer a plan by then. Please hold the meeting in time."),
    ),
    "deadline.planning_breached": (
        _("URGENT: the planning meeting for request #{rfq} is overdue: {title}"),
        _("It was due by {due}. Hold the planning meeting and choose the phases' firms now."),
    ),
    "deadline.planning_late_customer": (
        _("The plan for your request #{rfq} is taking longer"),
        _(
            "We are sorry: the planning meeting was due by {due}. The network office has been "
            "alerted and will hold it as soon as possible."
        ),
    ),
    "deadline.estimate_reminder": (
        _("Estimate for request #{rfq} due by {due}: {title}"),
        _("The network promised the customer the estimate by then. Please send it in time."),
    ),
    "deadline.failed": (
        _("A deadline of request #{rfq} could not be processed: {title}"),
        _("Deadline: {deadline}. Please check the request."),
    ),
    "message.posted": (
        _("New message on request #{rfq}: {title}"),
        _("{author}: {excerpt}"),
    ),
    "message.posted_confidential": (
        _("New message on request #{rfq}: {title}"),
        _("{author} wrote on the request's thread. The request is confidential: open it to read."),
    ),
    "team.assigned": (
        _("Your firm is in the team for order #{order}: {title}"),
        _("Your part: {work_package} ({terms}). Please confirm it, or decline with a reason."),
    ),
    "team.declined": (
        _("{firm} declined its part of order #{order}: {title}"),
        _("Reason: {reason}. Give the work package to another firm."),
    ),
    "order.in_production": (
        _("Order #{order} is in production: {title}"),
        _("Every team member has confirmed its part."),
    ),
    "work_package.done": (
        _("{firm} finished its work on order #{order}: {work_package}"),
        _("Finished on {on}."),
    ),
    "delivery.shipped": (
        _("A delivery for your order #{order} is on its way: {title}"),
        _("{description}. Please confirm receipt when it arrives."),
    ),
    "delivery.received": (
        _("The customer confirmed receipt on order #{order}: {title}"),
        _("{description}"),
    ),
    "order.rated": (
        _("The customer rated order #{order}: {title}"),
        _("Quality {quality}/5, delivery {delivery}/5, communication {communication}/5."),
    ),
    "order.rating_changed": (
        _("The customer changed the rating of order #{order}: {title}"),
        _("Quality {quality}/5, delivery {delivery}/5, communication {communication}/5."),
    ),
    "order.completed": (
        _("Order #{order} is completed: {title}"),
        _("Delivered and paid in full. Thank you."),
    ),
    "invoice.issued": (
        _("Invoice {number} for your order #{order}: {total}"),
        _("Consumption tax (10%): {tax}. Registration number: {registration_number}."),
    ),
    "payment.received": (
        _("We received your payment of {amount} for order #{order}"),
        _("Still owed: {owed}."),
    ),
    "payment.allocated": (
        _("{amount} allocated to your firm for order #{order}"),
        _("Your part of the customer's payment, after the office fee."),
    ),
    "fault.claimed": (
        _("Damages of {amount} charged to your firm on order #{order}"),
        _("{description}"),
    ),
    "refund.issued": (
        _("A refund of {amount} for your order #{order}"),
        _("{reason}"),
    ),
    "payout.closed": (
        _("{amount} will be transferred to your firm on {transfer_date}"),
        _("Payout batch #{batch} of {network}."),
    ),
    "membership.invited": (
        _("{network} invites {firm} to join"),
        _("Accept or decline the invitation on your firm's memberships page."),
    ),
    "membership.applied": (
        _("{firm} applied to join {network}"),
        _("Approve or decline the application on the network's memberships page."),
    ),
    "membership.accepted": (
        _("{firm} accepted the invitation to {network}"),
        _("The firm is now an active member."),
    ),
    "membership.approved": (
        _("{firm} is now a member of {network}"),
        _("Both sides agreed: the membership is active."),
    ),
    "membership.declined": (
        _("{firm} and {network}: the membership was declined"),
        _("The invitation or application was declined; nothing changed."),
    ),
    "bank_account.changed": (
        _("The bank account of {firm} was changed"),
        _(
            "Now {bank_code}-{branch_code}, account ending {account_tail}, changed by "
            "{changed_by} at {changed_at}. Payouts wait until {held_until}. If your firm "
            "did not make this change, tell your network's office at once."
        ),
    ),
    "bank_account.registered": (
        _("A bank account was registered for {firm}"),
        _(
            "{bank_code}-{branch_code}, account ending {account_tail}, registered by "
            "{changed_by} at {changed_at}. If your firm did not register it, tell your "
            "network's office at once."
        ),
    ),
    "bank_account.network_changed": (
        _("The account customers pay {network} into was set"),
        _(
            "Now {bank_code}-{branch_code}, account ending {account_tail}, set by "
            "{changed_by} at {changed_at}; invoices name it to customers from now on. If "
            "nobody in your office made this change, tell the platform's staff at once."
        ),
    ),
    "order.follow_on": (
        _("Follow-on request #{rfq} after order #{order}: {title}"),
        _("The customer asked for more after this order."),
    ),
}


def notification_texts(kind: str, language: str, context: dict) -> tuple[str, str]:
    """Return the title and body of a notification kind, rendered in `language`."""
    title, body = CATALOGUE[kind]
    with translation.override(language or "ja"):
        return str(title).format(**context), str(body).format(**context)
