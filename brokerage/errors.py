"""What a workflow step answers when it cannot be done, in words a person can act on."""


class WorkflowError(Exception):
    """A step was refused; the message says why and what to do instead."""

    status_code = 400


class InvalidTransition(WorkflowError):
    """The object is not in a state where this step is possible (anymore)."""

    status_code = 409


class NotAllowed(WorkflowError):
    """The person may see the object but may not take this step."""

    status_code = 403
