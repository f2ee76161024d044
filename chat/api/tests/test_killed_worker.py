"""A worker killed mid-turn (kill -9 of a daphne process): the conversation's turn lock is a lease, so another worker
refuses the next message at first (409 turn_in_progress), takes it once the lease lapses (AGENT_TIMEOUT + 10 s in the
killed worker's settings), and the page shows the orphaned question as interrupted.

Real processes on PostgreSQL + Redis (two daphne workers on one database and one Redis): skipped without REDIS_URL.
"""

import json
import os
import re
import signal
import time

import httpx
import pytest

from core.tests.live_server import live_daphne
from groq_emulator import EmulatorServer, Fault

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL") or not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="two workers need a shared PostgreSQL database and Redis (DATABASE_URL, REDIS_URL)",
    ),
    pytest.mark.timeout(120),
]

PASSWORD = "killed-worker-pass-2026"
AGENT_TIMEOUT = 4


@pytest.fixture
def workers(tmp_path):
    emulator = EmulatorServer(host="127.0.0.1", port=0, chunk_delay=0.0).start()
    model = {"GROQ_API_KEY": "test-key", "GROQ_BASE_URL": emulator.base_url, "GROQ_MAX_RETRIES": "0"}
    timeout = {"AGENT_TIMEOUT": str(AGENT_TIMEOUT), "CHAT_TURN_LEASE_SECONDS": ""}
    # The suite's own Redis db (cleared only before each test), not db N+1: on a shared machine that one may be
    # another checkout's, and its cache.clear() would wipe the lease under test.
    model["REDIS_URL"] = os.environ["REDIS_URL"]
    try:
        with (
            live_daphne(
                tmp_path, suffix="killed_a", users=["carol"], password=PASSWORD, env={**model, **timeout}
            ) as a,
            live_daphne(tmp_path, suffix="killed_b", users=[], password="", env=model, share_with=a) as b,
        ):
            yield emulator, a, b
    finally:
        emulator.stop()


def _token(url: str) -> str:
    r = httpx.post(f"{url}/api/auth/token/", json={"username": "carol", "password": PASSWORD}, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["token"]


def _page(url: str, conversation_id: int) -> str:
    with httpx.Client(base_url=url, timeout=10) as http:
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', http.get("/accounts/login/").text)
        done = http.post(
            "/accounts/login/",
            data={"username": "carol", "password": PASSWORD, "csrfmiddlewaretoken": csrf[1]},
        )
        assert done.status_code == 302, done.text
        return http.get(f"/c/{conversation_id}/").text


def test_a_killed_worker_frees_the_conversation_once_its_lease_lapses(workers):
    emulator, a, b = workers
    bearer = {"Authorization": f"Bearer {_token(b.url)}"}
    emulator.push_fault(Fault(kind="slow", seconds=0.3))  # a long story, one chunk every 0.3 s
    started_at = time.monotonic()
    with httpx.stream(
        "POST",
        f"{a.url}/api/chat/",
        json={"message": "tell me a long story"},
        headers={**bearer, "Accept": "text/event-stream"},
        timeout=30,
    ) as stream:
        events = (json.loads(line[6:]) for line in stream.iter_lines() if line.startswith("data: "))
        conversation_id = next(events)["conversation_id"]  # started
        assert next(e for e in events if e["type"] in ("text", "done", "error"))["type"] == "text"
        os.kill(a.pid, signal.SIGKILL)  # mid-answer: no finally, no lock release, no saved reply
    os.waitpid(a.pid, 0)

    def send() -> httpx.Response:
        body = {"message": "are you still there?", "conversation_id": conversation_id}
        return httpx.post(f"{b.url}/api/chat/", json=body, headers=bearer, timeout=30)

    busy = send()
    assert busy.status_code == 409 and busy.json()["code"] == "turn_in_progress"
    # the lease is still held: the page shows the reply as far as the dead worker streamed it (an API turn is
    # streamed to pages too), busy, until the lease lapses
    page = _page(b.url, conversation_id)
    assert 'class="typing"' in page and 'data-busy="true"' in page and "Interrupted" not in page

    deadline = started_at + AGENT_TIMEOUT + 15
    while "Interrupted" not in (page := _page(b.url, conversation_id)):
        assert time.monotonic() < deadline, "the lease never lapsed"
        time.sleep(0.5)
    assert "No reply was saved for this message" in page and "tell me a long story" in page

    accepted = send()
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["conversation_id"] == conversation_id
