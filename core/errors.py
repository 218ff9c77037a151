"""The one way a step is refused: a message a person can act on, what kind of refusal it is
and, when it is about one field, which.

Services raise `Refusal` (or one of the named kinds below, which many callers use); the API
turns it into an answer of the one error shape (`brokerage.api.errors`) and the pages put it
on the form that was sent (`place_refusal`), both with the kind's HTTP status. A service
never raises Django's `ValidationError` itself, but a model's own checks (`full_clean`) and
Django's password validators do, field by field; it is answered the same way (a 400), so
`REFUSALS` names both for the handlers that catch them.
"""

from enum import StrEnum

from django.core.exceptions import ValidationError


class RefusalKind(StrEnum):
    INVALID = "invalid"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"


STATUS_OF_KIND = {
    RefusalKind.INVALID: 400,
    RefusalKind.FORBIDDEN: 403,
    RefusalKind.NOT_FOUND: 404,
    RefusalKind.CONFLICT: 409,
}


class Refusal(Exception):
    """A step was refused; the message says why and what to do instead.

    `kind` decides the HTTP status (a subclass sets its own); `field`, when given, is the
    input the message is about (the API answers it under that name, a page puts it there).
    A step that finds several problems at once names them all: `message` may be a list of
    messages, and `Refusal.of_fields` refuses several fields, each with its messages.
    """

    kind: RefusalKind = RefusalKind.INVALID
    field: str | None = None
    # The messages per field, when the refusal is about several fields.
    fields: dict[str, list] | None = None

    def __init__(self, message, *, field: str | None = None, kind: RefusalKind | None = None):
        self.messages = list(message) if isinstance(message, list | tuple) else [message]
        super().__init__(*self.messages)
        self.message = message
        if field is not None:
            self.field = field
        if kind is not None:
            self.kind = kind

    @classmethod
    def of_fields(cls, fields: dict[str, list], *, kind: RefusalKind | None = None) -> "Refusal":
        """Refuse several fields at once, each with its own messages."""
        refusal = cls([message for messages in fields.values() for message in messages], kind=kind)
        refusal.fields = {name: list(messages) for name, messages in fields.items()}
        return refusal

    def messages_by_field(self) -> dict[str | None, list]:
        """The refusal's messages by the field they are about (None: the step as a whole)."""
        return self.fields if self.fields is not None else {self.field: self.messages}

    def __str__(self) -> str:
        return " ".join(str(message) for message in self.messages)

    @property
    def status_code(self) -> int:
        return STATUS_OF_KIND[self.kind]


class InvalidTransition(Refusal):
    """The object is not in a state where this step is possible (anymore)."""

    kind = RefusalKind.CONFLICT


class NotAllowed(Refusal):
    """The person may see the object but may not take this step."""

    kind = RefusalKind.FORBIDDEN


# What a page or the API catches as a refusal: ours, and Django's from a model's own checks
# run inside a service (always a 400).
REFUSALS = (Refusal, ValidationError)


def refusal_status(refusal: Exception) -> int:
    return refusal.status_code if isinstance(refusal, Refusal) else 400


def refusal_texts(refusal: Exception) -> list[str]:
    """Return the messages of a refusal, in the reader's language."""
    if isinstance(refusal, ValidationError):
        return list(refusal.messages)
    return [str(message) for message in refusal.messages]


def place_refusal(form, refusal: Exception) -> None:
    """Put a refusal on a page's form: on the fields it names (if the form has them), else
    on the form as a whole."""
    if isinstance(refusal, ValidationError) and hasattr(refusal, "error_dict"):
        for field, errors in refusal.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return
    if isinstance(refusal, Refusal):
        for field, messages in refusal.messages_by_field().items():
            form.add_error(field if field in form.fields else None, [str(m) for m in messages])
        return
    form.add_error(None, refusal_texts(refusal))
