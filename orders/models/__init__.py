"""An order from request to payout: the request and its drawings, the estimate, the order
with its team and deliveries, and its money (invoices, payments, allocations, the ledger,
refunds, fault claims and payouts)."""

from orders.models.append_only import (
    AppendOnlyError,
)
from orders.models.ledger import (
    LedgerEntry,
    LedgerPosting,
)
from orders.models.orders import (
    ORDER_THREADS,
    REQUEST_THREADS,
    Event,
    EventAppendOnlyError,
    Message,
    MessageAttachment,
    Order,
    ThreadRead,
)
from orders.models.payments import (
    Allocation,
    FaultClaim,
    Invoice,
    Payment,
    PaymentAttempt,
    Refund,
)
from orders.models.payouts import (
    BankAccount,
    BankAccountChange,
    PayoutBatch,
    PayoutLine,
)
from orders.models.previews import (
    DrawingPreview,
    PreviewImage,
)
from orders.models.ratings import (
    Rating,
)
from orders.models.requests import (
    CLOCK_RUNNING,
    CLOCK_STATUSES,
    CURRENCY_CHOICES,
    OPEN_STATUSES,
    RFQ,
    Drawing,
    Estimate,
    EstimateLine,
    RFQRequirement,
    RFQStatus,
    StoredUpload,
)
from orders.models.teams import (
    Delivery,
    InspectionDocument,
    TeamMember,
)

__all__ = [
    "CLOCK_RUNNING",
    "CLOCK_STATUSES",
    "CURRENCY_CHOICES",
    "OPEN_STATUSES",
    "ORDER_THREADS",
    "REQUEST_THREADS",
    "RFQ",
    "Allocation",
    "AppendOnlyError",
    "BankAccount",
    "BankAccountChange",
    "Delivery",
    "Drawing",
    "DrawingPreview",
    "Estimate",
    "EstimateLine",
    "Event",
    "EventAppendOnlyError",
    "FaultClaim",
    "InspectionDocument",
    "Invoice",
    "LedgerEntry",
    "LedgerPosting",
    "Message",
    "MessageAttachment",
    "Order",
    "Payment",
    "PaymentAttempt",
    "PayoutBatch",
    "PayoutLine",
    "PreviewImage",
    "RFQRequirement",
    "RFQStatus",
    "Rating",
    "Refund",
    "StoredUpload",
    "TeamMember",
    "ThreadRead",
]
