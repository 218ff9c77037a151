"""The brokering workflow's tables: invitations and answers, board decisions, consultation
stages, group proposals, deadlines, and the workers' heartbeat."""

from brokerage.models.workflow import (
    BoardDecision,
    Deadline,
    GroupProposal,
    Heartbeat,
    Interview,
    Invitation,
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
    "PhaseAssignment",
    "PlanningMeeting",
]
