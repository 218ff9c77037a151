"""Why a firm, group or team was chosen, or a request closed, said in the reader's language.

The reasons are stored as data (brokerage.reasons); `{% reason_text reason %}` says one on a
page, reading the names of the capabilities and firms it mentions once for the whole page
(or not at all, for the capabilities the page has read already).
"""

from django import template

from brokerage.reasons import reason_text as said
from capabilities.matching.explanations import Names

register = template.Library()


@register.simple_tag(takes_context=True)
def reason_text(context, reason) -> str:
    """Return a stored reason in the active language ("" for none).

    A page that read its request's capabilities passes them on as `reason_names`.
    """
    names = context.get("reason_names") or context.render_context.setdefault(
        "reason_names", Names()
    )
    return said(reason, names)
