"""Yen amounts as each language writes them: 12,345円 in Japanese, ¥12,345 in English."""

from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def yen(amount) -> str:
    """Format a whole number of yen for the active language; empty for no amount."""
    if amount is None or amount == "":
        return ""
    number = f"{int(amount):,}"
    if (get_language() or "ja").startswith("ja"):
        return f"{number}円"
    return f"¥{number}"
