"""The schema's error responses and documented fields (the schemathesis run, `make schemathesis`, checks the rest
against the live API)."""

import pytest
from rest_framework import serializers

from core.openapi import documented, non_blank_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(api_client) -> dict:
    return api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def test_every_operation_documents_its_errors_with_the_error_body(schema):
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    assert schema["components"]["schemas"]["Error"]["required"] == ["message", "code"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert responses["429"]["content"] == error, (method, path)
            assert "Retry-After" in responses["429"]["headers"]
            if "{" in path:
                assert "404" in responses, (method, path)
            if (method, path) != ("post", "/api/auth/token/"):
                assert responses["401"]["content"] == error, (method, path)


def test_lists_are_pages_and_bodies_are_json(schema):
    for path in ("/api/tasks/", "/api/conversations/"):
        page = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        component = schema["components"]["schemas"][page["$ref"].rsplit("/", 1)[-1]]
        assert set(component["properties"]) == {"count", "next", "previous", "results"}
    chat = schema["paths"]["/api/chat/"]["post"]["requestBody"]["content"]
    assert list(chat) == ["application/json"]
    message = schema["components"]["schemas"]["ChatInput"]["properties"]["message"]
    assert message == {"type": "string", "minLength": 1, "maxLength": 4096, "pattern": r"\S"}


def test_a_documented_field_passes_blank_on_and_refuses_what_is_not_a_string():
    class Input(serializers.Serializer):
        title = documented(serializers.CharField, non_blank_text(10))(allow_blank=True, max_length=10_000)

    blank = Input(data={"title": "   "})
    assert blank.is_valid() and blank.validated_data["title"] == ""  # the service says title_required
    number = Input(data={"title": 0})
    assert not number.is_valid() and number.errors["title"][0].code == "invalid"
    assert Input(data={"title": "  Milk "}).is_valid()
