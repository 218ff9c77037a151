"""How the order, money and payout pages carry out one step and show a refusal.

Like `brokerage.pages.requests.carry_out`, but the services of orders and money also
refuse with Django's ValidationError, field by field: each message is put on the field
of the form that was sent when it has one, or on the form as a whole.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from brokerage.errors import WorkflowError
from orders.drawings import DrawingRejected

REFUSALS = (WorkflowError, DrawingRejected, ValidationError)


def refusal_texts(refusal: Exception) -> list[str]:
    if isinstance(refusal, ValidationError):
        return list(refusal.messages)
    return [str(refusal)]


def place_refusal(form, refusal: Exception) -> None:
    """Put a service's refusal on the form: on the fields it names, else on the whole."""
    if isinstance(refusal, ValidationError) and hasattr(refusal, "error_dict"):
        for field, errors in refusal.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return
    form.add_error(None, refusal_texts(refusal))


def carry_out(request, *, forms: dict, action, done: str, redirect_to, render_again):
    """Run `action` when every form is valid, then redirect with `done`; else show why not.

    `render_again(bound=…, status=…, problem=…)` draws the page again with the forms bound,
    so what was typed stays. `redirect_to` is a URL, or a function of what `action` returned.
    """
    if not all([form.is_valid() for form in forms.values()]):
        return render_again(bound=forms, status=400, problem=_("Please correct what is marked."))
    try:
        result = action()
    except REFUSALS as refusal:
        # The first form is a plain form (never a formset): it carries the refusal.
        place_refusal(next(iter(forms.values())), refusal)
        status = getattr(refusal, "status_code", 400)
        return render_again(bound=forms, status=status, problem=" ".join(refusal_texts(refusal)))
    messages.success(request, done)
    return redirect(redirect_to(result) if callable(redirect_to) else redirect_to)


def button_step(request, *, action, done: str, redirect_to: str):
    """Run a step that is one button with nothing typed; a refusal comes back as a message."""
    try:
        action()
    except REFUSALS as refusal:
        messages.error(request, " ".join(refusal_texts(refusal)))
    else:
        messages.success(request, done)
    return redirect(redirect_to)


def not_found() -> Http404:
    """Return the answer to a person who may not see a page: it does not exist for them."""
    return Http404("No such page.")
