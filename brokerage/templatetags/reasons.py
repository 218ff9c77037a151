"""Why a firm was invited, said in the reader's language.

Routing stores each invitation's reason as data (what the firm covers and misses, its open
jobs, its answer rate) with an English sentence, shown as it is on English pages. Other
languages say it again from the data; the fixed sentences of the policies are in the
catalogue (marked with gettext_noop where they are written), so they translate as they are.
"""

from django import template
from django.utils import translation
from django.utils.translation import gettext, ngettext

register = template.Library()


@register.simple_tag
def why_invited(reason) -> str:
    """Return the reason an invitation was sent, in the active language ("" for none)."""
    if not reason:
        return ""
    if (translation.get_language() or "").startswith("en") and reason.get("explanation"):
        return reason["explanation"]  # written in English at routing, with every detail
    if "covered" in reason and "missing" in reason:
        return " ".join(matching_sentences(reason))
    if "firms" in reason and reason.get("explanation", "").endswith("cover every requirement."):
        count = len(reason["firms"])
        return ngettext(
            "%(count)s firm of the group covers every requirement.",
            "%(count)s firms of the group cover every requirement.",
            count,
        ) % {"count": count}
    return gettext(reason.get("explanation", ""))


def matching_sentences(reason: dict) -> list[str]:
    covered, missing = reason["covered"], reason["missing"]
    total = len(covered) + len(missing)
    sentences = [
        ngettext(
            "Covers %(covered)s of %(total)s requirement.",
            "Covers %(covered)s of %(total)s requirements.",
            total,
        )
        % {"covered": len(covered), "total": total}
    ]
    if missing:
        sentences.append(gettext("Missing: %(codes)s.") % {"codes": ", ".join(missing)})
    load = reason.get("open_load")
    if load is not None:
        sentences.append(
            ngettext("%(count)s open job.", "%(count)s open jobs.", load) % {"count": load}
        )
    rate = reason.get("response_rate")
    if rate is None:
        sentences.append(gettext("No record of past requests."))
    else:
        sentences.append(
            gettext("Answered %(percent)s%% of past requests.") % {"percent": round(rate * 100)}
        )
    return sentences
