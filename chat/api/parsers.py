"""The original endpoint's body: a JSON object, whatever the Content-Type says.

The original design's README sends `curl -X POST .../api/{user_id}/chat -H "Authorization: Bearer …"
-d '{"message": "…"}'`, and `curl -d` labels the body application/x-www-form-urlencoded. Read as a form, that
JSON would be one key with no value (and curl does not URL-encode it, so a "+" in the message would become a
space). This parser reads the raw body as JSON first; a real form whose single key is a JSON object (what
`--data-urlencode` sends) is accepted too. Anything that is not a JSON object is a 400.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

NOT_AN_OBJECT = 'The body must be a JSON object, e.g. {"message": "Add a task to buy milk"}.'


def _json_object(text: str) -> dict | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


class AnyContentTypeJSONObjectParser(BaseParser):
    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None) -> dict:
        try:
            text = stream.read().decode((parser_context or {}).get("encoding") or "utf-8")
        except (UnicodeDecodeError, LookupError):
            raise ParseError(NOT_AN_OBJECT) from None
        found = _json_object(text)
        if found is None:
            pairs = parse_qsl(text, keep_blank_values=True)
            if len(pairs) == 1 and pairs[0][1] == "":
                found = _json_object(pairs[0][0])
        if found is None:
            raise ParseError(NOT_AN_OBJECT)
        return found
