"""The ids a page's error summary links to (core.forms.error_summary)."""

from django import template

from core.forms import errors_box_id as box_id

register = template.Library()


@register.filter
def errors_box_id(form) -> str:
    """Return the id of the box that shows a form's errors about no one field."""
    return box_id(form)
