"""What the customer's request form and the office's key-in form share.

Both offer "suggest from my text": the form is sent once with the Suggest button, the
server ticks the capabilities the text asks for (its words, and what the network's office
chose for requests worded alike: brokerage.capability_suggestions), and the form comes
back unvalidated with everything typed so far, ready to be checked and submitted.
"""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from brokerage.capability_suggestions import request_text, suggestions_for_network
from brokerage.forms import RequestForm

SUGGESTION_SOURCES = ("title", "description", "material")


def typed_initial(data, *, prefix: str = "") -> dict:
    """Return what was typed into one form (by its prefix) as that form's initial values."""
    initial = {}
    for key in data:
        if prefix:
            if not key.startswith(f"{prefix}-"):
                continue
            name = key[len(prefix) + 1 :]
        elif "-" in key:
            continue  # a field of another, prefixed form on the same page
        else:
            name = key
        values = data.getlist(key)
        initial[name] = values if name == "requirements" else values[-1]
    return initial


def request_form_with_suggestions(
    data, capabilities, *, network_id: int | None
) -> tuple[RequestForm, str]:
    """Return the request form as typed, with the capabilities its text asks for ticked."""
    text = request_text(*(data.get(field, "") for field in SUGGESTION_SOURCES))
    suggestions = suggestions_for_network(network_id, text, capabilities)
    codes = [suggestion.code for suggestion in suggestions]
    initial = typed_initial(data)
    initial["requirements"] = sorted({*initial.get("requirements", []), *codes})
    form = RequestForm(initial=initial, capabilities=capabilities, suggested=codes)
    if codes:
        notice = ngettext(
            "We ticked %(count)s capability your text mentions, marked “suggested”. "
            "Check it, choose the minimum grade, then submit.",
            "We ticked %(count)s capabilities your text mentions, marked “suggested”. "
            "Check them, choose the minimum grades, then submit.",
            len(codes),
        ) % {"count": len(codes)}
    else:
        notice = _("Your text mentions no capability we know: please choose from the list.")
    return form, notice
