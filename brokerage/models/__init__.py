"""The brokering engine's tables: the request workflow, and (beside it) money."""

from brokerage.models.workflow import (
    BoardDecision,
    Deadline,
    GroupProposal,
    Heartbeat,
    Interview,
    Invitation,
    Notification,
    PhaseAssignment,
    PlanningMeeting,
)

__all__ = [
    "BoardDecision",
    "Deadline",
    "GroupProposal",
    "Heartbeat",
    "Interview",
    "Invitation",
    "Notification",
    "PhaseAssignment",
    "PlanningMeeting",
]
