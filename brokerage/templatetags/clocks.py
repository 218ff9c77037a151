"""Times on the pages: shown in the network's zone, with countdowns that JavaScript ticks.

The server renders every countdown's text, so a page read without JavaScript still says
how much time was left when it was loaded; static/js/pages.js then ticks it with the same
translated words, which it reads from the JSON that `clock_strings` writes.
"""

import datetime

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html, json_script
from django.utils.translation import gettext_lazy as _

register = template.Library()

COUNTDOWN_STRINGS = {
    "left": _("%(time)s left"),
    "overdue": _("overdue by %(time)s"),
    "days": _("%(days)s d %(hours)s h"),
    "hours": _("%(hours)s h %(minutes)s min"),
    "minutes": _("%(minutes)s min"),
    "seconds": _("%(minutes)s min %(seconds)s s"),
    "passed": _("Time is up: %(label)s"),
}


def span_text(seconds: float) -> str:
    """Return a length of time in words: coarse when far, to the second when close."""
    seconds = int(abs(seconds))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return str(COUNTDOWN_STRINGS["days"]) % {"days": days, "hours": hours}
    if hours:
        return str(COUNTDOWN_STRINGS["hours"]) % {"hours": hours, "minutes": minutes}
    if minutes >= 10:
        return str(COUNTDOWN_STRINGS["minutes"]) % {"minutes": minutes}
    return str(COUNTDOWN_STRINGS["seconds"]) % {"minutes": minutes, "seconds": seconds}


def countdown_text(due: datetime.datetime, now: datetime.datetime) -> str:
    remaining = (due - now).total_seconds()
    key = "left" if remaining >= 0 else "overdue"
    return str(COUNTDOWN_STRINGS[key]) % {"time": span_text(remaining)}


@register.simple_tag
def countdown(due, label=""):
    """Render the time left until `due` (or how overdue it is) for JavaScript to tick."""
    if not due:
        return ""
    now = timezone.now()
    overdue = due < now
    return format_html(
        '<span class="countdown{}" role="timer" data-due="{}" data-label="{}">{}</span>',
        " overdue" if overdue else "",
        due.isoformat(),
        label,
        countdown_text(due, now),
    )


@register.simple_tag
def local_time(moment, network=None):
    """Render a moment in the network's time zone (the site's zone without a network)."""
    if not moment:
        return ""
    zone = network.tzinfo if network is not None else timezone.get_default_timezone()
    local = moment.astimezone(zone)
    return format_html(
        '<time datetime="{}" title="{}">{} {}</time>',
        moment.isoformat(),
        str(zone),
        formats.date_format(local, "DATETIME_FORMAT"),
        local.tzname(),
    )


@register.simple_tag
def clock_strings():
    """Write the countdown's words in the active language, for the page's script."""
    return json_script(
        {key: str(value) for key, value in COUNTDOWN_STRINGS.items()}, "clock-strings"
    )
