"""The chat REST API over the real engine and the Groq-wire emulator."""

import json

import pytest
from rest_framework.test import APIClient

from chat.models import Conversation, Message
from groq_emulator import Fault, Reply
from tasks import selectors
from tasks.tests.factories import TaskFactory
from users.tokens import token_create

pytestmark = pytest.mark.django_db(transaction=True)


def chat(client: APIClient, message: str, conversation_id=None, url="/api/chat/"):
    return client.post(url, {"message": message, "conversation_id": conversation_id}, format="json")


def test_add_list_complete_rename_delete_through_chat(token_client, user, emulator):
    r = chat(token_client, "add a task to buy milk")
    assert r.status_code == 200, r.content
    body = r.json()
    assert set(body) == {"conversation_id", "response", "tool_calls", "offline_demo", "status", "notice"}
    assert (body["status"], body["notice"]) == ("complete", "")
    assert body["offline_demo"] is False  # a key is set (the emulator stands in for Groq here)
    [call] = body["tool_calls"]
    assert call["tool"] == "add_task" and call["params"] == {"title": "buy milk"}
    task_id = call["result"]["task_id"]
    assert call["result"] == {
        "task_id": task_id,
        "status": "created",
        "title": "buy milk",
        **{"due_date": None, "due_time": None, "due_label": None, "priority": "none", "repeat": None},
    }
    assert selectors.task_get(owner=user, task_id=task_id).title == "buy milk"
    cid = body["conversation_id"]

    r = chat(token_client, f"rename task {task_id} to Buy oat milk", cid)
    assert r.json()["tool_calls"][0]["result"]["status"] == "updated"
    assert selectors.task_get(owner=user, task_id=task_id).title == "Buy oat milk"

    r = chat(token_client, "show my tasks", cid)
    assert r.json()["tool_calls"][0]["tool"] == "list_tasks"
    assert "Buy oat milk" in r.json()["response"]

    r = chat(token_client, f"complete task {task_id}", cid)
    assert selectors.task_get(owner=user, task_id=task_id).completed is True

    r = chat(token_client, f"delete task {task_id}", cid)
    assert r.json()["tool_calls"][0]["result"]["status"] == "deleted"
    assert not selectors.task_list(owner=user).filter(pk=task_id).exists()
    assert Conversation.objects.filter(owner=user).count() == 1


def test_multi_step_completes_the_real_first_pending_task(token_client, user, emulator):
    older = TaskFactory(owner=user, title="older")
    newest = TaskFactory(owner=user, title="newest")
    r = chat(token_client, "show my pending tasks and mark the first one done")
    assert r.status_code == 200
    tools = [c["tool"] for c in r.json()["tool_calls"]]
    assert tools == ["list_tasks", "complete_task"]
    assert r.json()["tool_calls"][1]["params"] == {"task_id": newest.pk}
    newest.refresh_from_db(), older.refresh_from_db()
    assert newest.completed and not older.completed


def test_response_never_contains_reasoning_or_block_in_prompt_mode(token_client, settings, emulator):
    settings.GROQ_TOOL_MODE = "prompt"
    r = chat(token_client, "add a task to call mom")
    assert r.status_code == 200
    body = r.json()
    assert body["tool_calls"][0]["tool"] == "add_task"
    assert "TOOL_CALLS" not in body["response"].upper()
    assert "The user wants" not in body["response"]  # the emulator's reasoning text
    assert "tools" not in emulator.requests[0]


def test_request_sent_upstream_carries_settings_and_no_user_identity(token_client, user, emulator):
    chat(token_client, "add a task to buy milk")
    sent = emulator.requests[0]
    assert sent["model"] == "openai/gpt-oss-120b"
    assert sent["tool_choice"] == "auto" and sent["stream"] is True
    assert {t["function"]["name"] for t in sent["tools"]} == {
        "add_task", "list_tasks", "complete_task", "reopen_task", "delete_task", "restore_task", "update_task",
    }  # fmt: skip
    for key in ("temperature", "top_p", "max_completion_tokens", "reasoning_effort"):
        assert key in sent
    raw = json.dumps(sent)
    assert user.username not in raw and "user_id" not in raw and "owner" not in raw


def test_original_endpoint_works_with_bearer_token_and_refuses_foreign_user_id(user, other_user, emulator):
    client = APIClient()
    _, token = token_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    r = chat(client, "add a task to water plants", url=f"/api/{user.pk}/chat")
    assert r.status_code == 200 and r.json()["tool_calls"][0]["tool"] == "add_task"
    r = chat(client, "add a task to water plants", url=f"/api/{other_user.pk}/chat")
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    assert not selectors.task_list(owner=other_user).exists()


def test_offline_demo_says_so(token_client, settings):
    settings.GROQ_API_KEY = settings.GROQ_BASE_URL = ""  # the built-in emulator answers
    r = chat(token_client, "add a task to buy milk")
    assert r.status_code == 200 and r.json()["offline_demo"] is True
    assert r.json()["tool_calls"][0]["result"]["status"] == "created"


def test_unauthenticated_is_401_json(api_client, emulator):
    r = chat(api_client, "hi")
    assert r.status_code == 401 and r.json()["code"] == "not_authenticated"


@pytest.mark.parametrize(("message", "code"), [("", "message_required"), ("x" * 4097, "message_too_long")])
def test_bad_messages_are_400_and_save_nothing(token_client, user, emulator, message, code):
    r = chat(token_client, message)
    assert r.status_code == 400 and r.json()["code"] == code
    assert not Message.objects.exists()
    assert emulator.requests == []


def test_another_users_conversation_is_404(token_client, other_user, emulator):
    theirs = Conversation.objects.create(owner=other_user, title="private")
    r = chat(token_client, "hi", theirs.pk)
    assert r.status_code == 404 and r.json()["code"] == "conversation_not_found"
    assert not theirs.messages.exists()
    assert token_client.get(f"/api/conversations/{theirs.pk}/").status_code == 404
    assert (
        token_client.patch(f"/api/conversations/{theirs.pk}/", {"title": "x"}, format="json").status_code
        == 404
    )
    assert token_client.delete(f"/api/conversations/{theirs.pk}/").status_code == 404
    assert Conversation.objects.filter(pk=theirs.pk, title="private").exists()


@pytest.mark.parametrize(
    ("fault", "status", "code"),
    [
        (Fault(kind="status", status=500), 503, "upstream_unavailable"),
        (Fault(kind="status", status=429, retry_after=0), 503, "upstream_rate_limited"),
        (Fault(kind="break", after_chunks=3), 502, "upstream_error"),
        (Fault(kind="tool_use_failed", count=2), 502, "tool_use_failed"),  # one is retried
    ],
)
def test_upstream_faults_are_5xx_json_and_keep_the_message(token_client, user, emulator, fault, status, code):
    emulator.push_fault(fault)
    r = chat(token_client, "tell me a long story")
    assert r.status_code == status, r.content
    assert r.json()["code"] == code and r["Content-Type"] == "application/json"
    conversation = Conversation.objects.get(pk=r.json()["conversation_id"])
    roles = list(conversation.messages.values_list("role", "status"))
    assert roles[0] == ("user", "complete")
    assert roles[-1][0] == "assistant" and roles[-1][1] in {"error", "partial"}


def test_timeout_is_504(token_client, settings, emulator):
    settings.AGENT_TIMEOUT = 0.5
    emulator.push_fault(Fault(kind="stall", seconds=2))
    r = chat(token_client, "hi")
    assert r.status_code == 504 and r.json()["code"] == "upstream_timeout"


def test_conversations_list_detail_rename_delete(token_client, user, emulator):
    cid = chat(token_client, "add a task to buy bread").json()["conversation_id"]
    listed = token_client.get("/api/conversations/").json()
    assert listed["count"] == 1 and listed["results"][0]["title"] == "add a task to buy bread"
    detail = token_client.get(f"/api/conversations/{cid}/").json()
    assert [m["role"] for m in detail["messages"]] == ["user", "assistant", "tool", "assistant"]
    assert detail["messages"][1]["tool_calls"][0]["name"] == "add_task"
    r = token_client.patch(f"/api/conversations/{cid}/", {"title": "Groceries"}, format="json")
    assert r.status_code == 200 and r.json()["title"] == "Groceries"
    assert token_client.patch(f"/api/conversations/{cid}/", {"title": " "}, format="json").status_code == 400
    assert token_client.delete(f"/api/conversations/{cid}/").status_code == 204
    assert not Conversation.objects.filter(pk=cid).exists()


def test_chat_rate_limit_is_429_json(token_client, settings, emulator):
    settings.CHAT_RATE_PER_MINUTE = 1
    assert chat(token_client, "hi").status_code == 200
    r = chat(token_client, "hi again")
    assert r.status_code == 429 and r.json()["code"] == "rate_limited"


def _sse_events(raw: bytes) -> list[dict]:
    return [json.loads(line[6:]) for line in raw.decode().splitlines() if line.startswith("data: ")]


async def test_event_stream_for_api_clients(user, emulator):
    from asgiref.sync import sync_to_async
    from django.test import AsyncClient

    _, token = await sync_to_async(token_create)(user=user)
    client = AsyncClient()
    headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
    r = await client.post(
        "/api/chat/", {"message": "add a task to buy eggs"}, content_type="application/json", headers=headers
    )
    assert r.status_code == 200 and r["Content-Type"] == "text/event-stream"
    events = _sse_events(b"".join([chunk async for chunk in r.streaming_content]))
    kinds = [e["type"] for e in events]
    assert kinds[0] == "started" and kinds[-1] == "done"
    assert kinds.index("tool_call") < kinds.index("tool_result") < kinds.index("text")
    assert "".join(e["text"] for e in events if e["type"] == "text").strip() == events[-1]["content"]

    r = await client.post("/api/chat/", {"message": ""}, content_type="application/json", headers=headers)
    assert r.status_code == 400 and json.loads(r.content)["code"] == "message_required"


def test_schema_documents_chat_and_error_statuses(api_client):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    post = schema["paths"]["/api/chat/"]["post"]
    assert {"200", "400", "404", "429", "502", "503", "504"} <= set(post["responses"])
    assert "/api/{user_id}/chat" in schema["paths"]


def test_a_cut_stream_is_a_502_with_the_saved_partial_text(token_client, emulator):
    emulator.push_fault(Fault(kind="cut", after_chunks=30))
    r = chat(token_client, "tell me a long story")
    assert r.status_code == 502
    body = r.json()
    assert body["code"] == "upstream_cut" and body["response"] and body["conversation_id"]
    saved = Message.objects.filter(role="assistant").last()
    assert (saved.status, saved.content) == ("partial", body["response"])


def test_a_reply_at_the_length_limit_is_kept_and_flagged(token_client, emulator):
    emulator.push_reply(Reply(content="Half a sent", finish_reason="length"))
    r = chat(token_client, "write a lot")
    assert r.status_code == 200
    body = r.json()
    assert (body["response"], body["status"]) == ("Half a sent", "partial")
    assert "length limit" in body["notice"]
