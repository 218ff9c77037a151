"""How a page carries out one step and shows a refusal, the same on every page.

A refusal (`core.errors.Refusal`, or Django's ValidationError from a model's own checks)
is put on the field of the form that was sent when it names one, or on the form as a
whole, and the page is answered with the refusal's status (`core.errors.place_refusal`)
and a summary of the errors at its top (`core.forms.error_summary`).
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from core.errors import REFUSALS, place_refusal, refusal_status, refusal_texts
from core.forms import error_summary


def carry_out(request, *, forms: dict, action, done: str, redirect_to, render_again):
    """Run `action` when every form is valid, then redirect with `done`; else show why not.

    `render_again(bound=…, status=…, problem=…)` draws the page again with the forms bound,
    so what was typed stays; `problem` (core.forms.ErrorSummary) lists every error at the
    top of the page as a link to its field, and the first field is focused, so that a long
    page opens where the first error is. `redirect_to` is a URL, or a function of what
    `action` returned.
    """
    if not all([form.is_valid() for form in forms.values()]):
        problem = error_summary(forms.values(), _("Please correct what is marked."))
        return render_again(bound=forms, status=400, problem=problem)
    try:
        result = action()
    except REFUSALS as refusal:
        # The first form is a plain form (never a formset): it carries the refusal.
        place_refusal(next(iter(forms.values())), refusal)
        return render_again(
            bound=forms, status=refusal_status(refusal), problem=error_summary(forms.values())
        )
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
