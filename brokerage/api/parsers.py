"""Request body parsers: DRF's, refusing what would otherwise crash them with a 400."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser; a body nested too deep for Python's parser is a 400, not a 500.

    `json.loads` raises RecursionError (not ValueError) on a few thousand nested brackets,
    which DRF does not catch: ten kilobytes of "[" would otherwise be a server error.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the body is nested too deeply.") from None
