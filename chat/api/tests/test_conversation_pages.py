"""GET /api/conversations/{id}/ pages its messages: the newest page first, `next` for the ones before it, never a
turn split across pages; owner-scoped; bad `before`/`limit` are JSON errors; the schema says so."""

import pytest

from chat.tests.test_selectors import long_conversation

pytestmark = pytest.mark.django_db


def walk(client, url: str) -> tuple[list[list[dict]], list[dict]]:
    """Every page from `url` following `next`, and the pages' bodies."""
    pages, bodies = [], []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        pages.append(body["messages"])
        bodies.append(body)
        url = body["next"]
    return pages, bodies


def test_the_newest_page_first_then_next_back_to_the_start(token_client, user):
    conversation = long_conversation(user)  # 300 messages in turns of 2 and 4

    pages, bodies = walk(token_client, f"/api/conversations/{conversation.pk}/?limit=25")

    assert bodies[0]["id"] == conversation.pk and bodies[0]["title"] == "Long"
    assert pages[0][-1]["content"] == "answer 99"  # the newest page first
    assert all(0 < len(page) <= 25 for page in pages) and len(pages) >= 12
    assert all(page[0]["role"] == "user" for page in pages)  # a page starts at a question: no turn split
    everything = [m for page in reversed(pages) for m in page]
    ids = [m["id"] for m in everything]
    assert len(everything) == 300 and ids == sorted(ids) == sorted(set(ids))  # all, in order, once
    assert everything[0]["content"] == "question 0"
    assert bodies[-1]["next"] is None
    assert f"/api/conversations/{conversation.pk}/?before={pages[1][-1]['id'] + 1}&limit=25".endswith(
        bodies[0]["next"].split("testserver")[1]
    )


def test_the_default_page_is_the_newest_hundred_or_fewer(token_client, user):
    conversation = long_conversation(user)

    body = token_client.get(f"/api/conversations/{conversation.pk}/").json()

    assert 90 <= len(body["messages"]) <= 100 and body["messages"][-1]["content"] == "answer 99"
    assert body["next"].startswith("http://testserver/api/conversations/")
    assert "limit=100" in body["next"]


def test_a_short_conversation_is_one_page(token_client, user):
    conversation = long_conversation(user, turns=3)

    body = token_client.get(f"/api/conversations/{conversation.pk}/").json()

    assert [m["content"] for m in body["messages"] if m["role"] == "user"] == [
        f"question {n}" for n in range(3)
    ]
    assert body["next"] is None


@pytest.mark.parametrize("query", ["limit=0", "limit=201", "limit=x", "before=0", "before=-3", "before=abc"])
def test_bad_paging_parameters_are_400_json(token_client, user, query):
    conversation = long_conversation(user, turns=2)

    response = token_client.get(f"/api/conversations/{conversation.pk}/?{query}")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and set(body["fields"]) == {query.split("=")[0]} and body["message"]


def test_before_must_be_a_message_of_this_conversation(token_client, user, other_user):
    mine, also_mine = long_conversation(user, turns=2), long_conversation(user, turns=2)
    theirs = long_conversation(other_user, turns=2)
    url = f"/api/conversations/{mine.pk}/?before="

    for foreign in (also_mine.messages.last().pk, theirs.messages.last().pk, 10**15):
        response = token_client.get(url + str(foreign))
        assert response.status_code == 404 and response.json()["code"] == "message_not_found"
    last = mine.messages.order_by("id").last()
    assert [m["content"] for m in token_client.get(url + str(last.pk)).json()["messages"]] == [
        "question 0",
        "answer 0",
        "question 1",
        "",
        '{"tasks": [], "total": 0}',
    ]


def test_another_users_conversation_is_404_whatever_the_page(token_client, other_user):
    theirs = long_conversation(other_user, turns=2)
    before = theirs.messages.last().pk

    for url in (
        f"/api/conversations/{theirs.pk}/",
        f"/api/conversations/{theirs.pk}/?before={before}&limit=5",
    ):
        response = token_client.get(url)
        assert response.status_code == 404 and response.json()["code"] == "conversation_not_found"


def test_the_schema_documents_the_paging(api_client):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    get = schema["paths"]["/api/conversations/{conversation_id}/"]["get"]

    parameters = {p["name"]: p for p in get["parameters"] if p["in"] == "query"}
    assert parameters["limit"]["schema"]["maximum"] == 200 and parameters["limit"]["schema"]["minimum"] == 1
    assert parameters["before"]["schema"]["minimum"] == 1
    assert {"200", "400", "404"} <= set(get["responses"])
    detail = schema["components"]["schemas"]["ConversationDetailOutput"]
    assert "next" in detail["properties"] and detail["properties"]["next"]["nullable"] is True
    stop = schema["paths"]["/api/conversations/{conversation_id}/stop/"]["post"]
    assert {"200", "202", "404"} <= set(stop["responses"])
