"""The API's 429s for chat say when sending works again: `retry_after` in the body and a Retry-After header."""

import pytest

from chat import services

pytestmark = pytest.mark.django_db(transaction=True)


def _chat(client, message: str):
    return client.post("/api/chat/", {"message": message}, format="json")


def test_the_rate_limit_says_when_to_retry(token_client, settings, emulator):
    settings.CHAT_RATE_PER_MINUTE = 1
    assert _chat(token_client, "hi").status_code == 200
    r = _chat(token_client, "hi again")
    body = r.json()
    assert r.status_code == 429 and body["code"] == "rate_limited"
    assert 1 <= body["retry_after"] <= 60 and r["Retry-After"] == str(body["retry_after"])
    assert set(body) == {"message", "code", "retry_after"}


def test_the_daily_quota_is_a_429_before_the_model_is_called(token_client, user, settings, emulator):
    settings.CHAT_DAILY_TOKENS = 50
    services.usage_record(user_id=user.pk, usage={"prompt_tokens": 50})
    r = _chat(token_client, "hi")
    body = r.json()
    assert r.status_code == 429 and body["code"] == "daily_quota_reached"
    assert 0 < body["retry_after"] <= 86_400 and r["Retry-After"] == str(body["retry_after"])
    assert "resets at midnight UTC" in body["message"]
    assert emulator.requests_snapshot() == []
