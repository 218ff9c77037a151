"""Request body parsers: DRF's, refusing what would otherwise crash them with a 400.

A NUL character cannot be stored in a PostgreSQL text column, nor compared with one: a
field that reaches the database without a validator of its own (a slug looked up, a
key) would make it a server error. No text of the platform has one, so a body holding
one is refused whole, whatever parser read it.
"""

from django.http import QueryDict
from rest_framework import parsers
from rest_framework.exceptions import ParseError

NUL = "\x00"


def holds_nul(value) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, QueryDict):
        return any(holds_nul(key) or holds_nul(items) for key, items in value.lists())
    if isinstance(value, dict):
        return any(holds_nul(key) or holds_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(holds_nul(item) for item in value)
    return False


def refused_if_nul(data):
    if holds_nul(getattr(data, "data", data)):
        raise ParseError("The body holds a NUL character, which no field accepts.")
    return data


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser; a body nested too deep for Python's parser is a 400, not a 500.

    `json.loads` raises RecursionError (not ValueError) on a few thousand nested brackets,
    which DRF does not catch: ten kilobytes of "[" would otherwise be a server error.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the body is nested too deeply.") from None
        return refused_if_nul(data)


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return refused_if_nul(super().parse(stream, media_type, parser_context))


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return refused_if_nul(super().parse(stream, media_type, parser_context))
