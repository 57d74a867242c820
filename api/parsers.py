"""The API's JSON parser measures how deeply a body nests before it parses it.

Python's json module recurses once per nested list or object, so a body of 100,000 `[`
(100 kB, well under the size limit) ended in a RecursionError, a 500, even on the anonymous
token endpoint. Set as the default parser, this one answers 400 with a message that names
the body, on every API route. (The size of a body is checked before, for every content type,
by api.middleware.RequestBodyLimitMiddleware.)
"""

import io
import re

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# No body of the API goes beyond four levels; a deeper one is an attack or a mistake.
MAX_DEPTH = 32

# A string (skipped whole: brackets in text are no nesting) or a bracket. A string runs to
# its closing quote or to the end of the body; the possessive `*+` never goes back, so
# every byte is looked at once, whatever quotes and backslashes the body is made of.
_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*+(?:"|\\?\Z)|[\[\]{}]', re.S)
_OPENING = (b"[", b"{")
_CLOSING = (b"]", b"}")


def body_check_depth(raw: bytes) -> None:
    """A 400 if lists and objects nest deeper than MAX_DEPTH anywhere in `raw`."""
    depth = 0
    for match in _TOKEN.finditer(raw):
        token = match.group()
        if token in _OPENING:
            depth += 1
            if depth > MAX_DEPTH:
                raise ParseError(
                    _(
                        "The request body is nested too deeply: at most %(depth)d levels of "
                        "lists and objects are accepted."
                    )
                    % {"depth": MAX_DEPTH}
                )
        elif token in _CLOSING:
            depth -= 1


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read()
        body_check_depth(raw)
        return super().parse(io.BytesIO(raw), media_type, parser_context)
