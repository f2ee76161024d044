"""The schema's error responses, stated once for every operation (drf-spectacular postprocessing hook).

Every /api/ error is `{"message", "code"}` (core.api_errors), and some answers hold on every operation whatever its
view says: 401 when it needs a login and has none, 429 from the per-user throttle, 404 for an id in the path that
is not yours, 400 for a body or query the view refuses, 405 is not listed (a method not in the schema). A view's own
documented response (its description, a richer body) always wins; this only fills in what is missing and gives a
bare `description`-only error its JSON body.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework.fields import empty

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every API error. `code` is stable; `message` is for people.",
    "properties": {
        "message": {"type": "string"},
        "code": {"type": "string"},
        "field": {"type": "string", "description": "The input field a rule is about."},
        "fields": {
            "type": "object",
            "additionalProperties": {},
            "description": "Malformed input (`code` invalid): the messages per field.",
        },
        "retry_after": {"type": "integer", "description": "429: seconds until trying again makes sense."},
        "conversation_id": {"type": "integer", "description": "Chat errors after the message was saved."},
        "response": {"type": "string", "description": "Chat errors: the text that had arrived (saved)."},
    },
    "required": ["message", "code"],
}
_REF = {"$ref": "#/components/schemas/Error"}
_DEFAULTS = {
    "400": "Bad input: a rule was not met (`field`) or the input is malformed (`fields`).",
    "401": "Not authenticated, or the token is wrong, revoked or expired.",
    "404": "Not found (or not yours).",
    "429": "Throttled (`throttled`): too many requests; see Retry-After.",
}
_WRITES = {"post", "put", "patch"}


def _needs_login(operation: dict) -> bool:
    return {} not in (operation.get("security") or [{}])


def _expected(method: str, operation: dict) -> list[str]:
    codes = ["429"]
    if _needs_login(operation):
        codes.append("401")
    parameters = operation.get("parameters") or []
    if any(p.get("in") == "path" for p in parameters):
        codes.append("404")
    if method in _WRITES or any(p.get("in") == "query" for p in parameters):
        codes.append("400")
    return codes


def add_error_responses(result: dict, generator, request, public) -> dict:
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for code in _expected(method, operation):
                responses.setdefault(code, {"description": _DEFAULTS[code]})
            for code, response in responses.items():
                if code[0] in "45" and "content" not in response:
                    response["content"] = {"application/json": {"schema": _REF}}
                if code == "429":
                    response.setdefault("headers", {})["Retry-After"] = {
                        "schema": {"type": "integer"},
                        "description": "Seconds to wait.",
                    }
    return result


def drop_form_bodies(result: dict, generator, request, public) -> dict:
    """Request bodies are documented as JSON only (the API also reads forms, for curl -d and the legacy endpoint):
    a malformed multipart body parses to nothing, which the schema cannot describe honestly; a body read as JSON
    whatever its type (the legacy chat endpoint) is documented as JSON, not as any media type."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content") if isinstance(operation, dict) else None
            if content and "*/*" in content:  # read as JSON whatever the Content-Type: JSON is what to send
                content.setdefault("application/json", content.pop("*/*"))
            schema = (content or {}).get("application/json", {}).get("schema", {})
            component = schema.get("$ref", "").rsplit("/", 1)[-1]
            if content and not result["components"]["schemas"].get(component, schema).get("required"):
                operation["requestBody"]["required"] = False  # nothing required: an empty PATCH is fine
            if content and "application/json" in content:
                for media in [m for m in content if m != "application/json"]:
                    del content[media]
    return result


def documented(field_class: type, schema: dict) -> type:
    """`field_class` whose schema states the rule a service enforces with its own error code (title_required,
    message_too_long, invalid_priority …), while the serializer itself checks only the type. A class, not an
    instance: serializers deep-copy their fields by re-instantiating them.

    `allow_blank=True` still lets "" through to the service (which answers with its own code), but is kept out
    of the schema, where drf-spectacular would otherwise add "or the empty string" to a non-blank rule."""

    class Documented(field_class):
        def __init__(self, *args, allow_blank: bool = False, **kwargs):
            self.blank_to_service = allow_blank
            super().__init__(*args, **kwargs)

        def run_validation(self, data=empty):
            if data is not empty and data is not None and not isinstance(data, str):
                self.fail("invalid")  # a string, as the schema says: no 0 quietly read as "0"
            blank = data == "" or (getattr(self, "trim_whitespace", False) and str(data).strip() == "")
            if self.blank_to_service and isinstance(data, str) and blank:
                return ""
            return super().run_validation(data)

    Documented.__name__ = Documented.__qualname__ = f"Documented{field_class.__name__}"
    Documented.__module__ = __name__
    return extend_schema_field(schema)(Documented)


def non_blank_text(max_length: int) -> dict:
    """1–max_length characters with at least one that is not whitespace (the API trims before checking)."""
    return {"type": "string", "minLength": 1, "maxLength": max_length, "pattern": r"\S"}
