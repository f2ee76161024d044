"""Streams across worker processes: two daphne processes on one database and one Redis (channel layer and cache).
The turn runs on worker A; a tab connected to worker B sees it grow, opens the page mid-reply, and stops it."""

import asyncio
import json
import os
import re

import httpx
import pytest
from websockets.asyncio.client import connect

from core.tests.live_server import daphne_process, live_daphne
from groq_emulator import EmulatorServer, Fault, Reply

pytestmark = [
    pytest.mark.timeout(120),
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL: two workers share Redis"),
]

PASSWORD = "streams-pass-2026"
WORDS = " ".join(f"word{n}" for n in range(300))


@pytest.fixture(scope="module")
def workers(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("two-workers")
    emulator = EmulatorServer(host="127.0.0.1", port=0, chunk_delay=0.0).start()
    env = {"GROQ_BASE_URL": emulator.base_url, "GROQ_API_KEY": "", "AGENT_TIMEOUT": "60"}
    try:
        with (
            live_daphne(tmp, suffix="streams", users=["ann"], password=PASSWORD, env=env) as a,
            daphne_process(a.env, tmp / "worker-b-daphne.log") as b,
        ):
            yield a, b, emulator
    finally:
        emulator.stop()


def log_in(url: str) -> httpx.Client:
    http = httpx.Client(base_url=url, timeout=10)
    page = http.get("/accounts/login/")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    done = http.post(
        "/accounts/login/", data={"username": "ann", "password": PASSWORD, "csrfmiddlewaretoken": csrf}
    )
    assert done.status_code == 302, done.text
    return http


def socket(url: str, cookie: str, query: str = ""):
    ws_url = url.replace("http://", "ws://") + "/ws/chat/" + query
    return connect(ws_url, origin=url, additional_headers={"Cookie": cookie})


def is_turn_frame(frame: str) -> bool:
    return not any(f'id="{name}"' in frame for name in ("task-panel-body", "conversation-list"))


async def turn_frames_until(websocket, done, timeout: float = 60.0) -> list[str]:
    frames = []
    async with asyncio.timeout(timeout):
        while True:
            frame = await websocket.recv()
            if is_turn_frame(frame):
                frames.append(frame)
                if done(frame):
                    return frames


def idle(frame: str) -> bool:
    return 'id="composer-controls"' in frame and 'data-busy="false"' in frame


async def test_a_tab_on_another_worker_follows_the_reply_and_stops_it(workers):
    a, b, emulator = workers
    http = log_in(a.url)  # one session, valid on both workers (one database)
    cookie = f"sessionid={http.cookies['sessionid']}"
    emulator.push_reply(Reply(content=WORDS))
    emulator.push_fault(Fault(kind="slow", seconds=0.03))  # 150 chunks: about 4.5 s

    async with socket(a.url, cookie) as sender:
        await sender.send(json.dumps({"message": "say many words", "conversation_id": ""}))
        sent = await turn_frames_until(sender, lambda f: 'id="conversation-id"' in f)
        conversation_id = re.search(r'id="conversation-id"[^>]*value="(\d+)"', sent[0]).group(1)
        sending = asyncio.create_task(turn_frames_until(sender, idle))

        async with socket(b.url, cookie, f"?c={conversation_id}") as watcher:
            seen = await turn_frames_until(watcher, lambda f: True)
            for _ in range(3):
                seen += await turn_frames_until(watcher, lambda f: True)
            # B joined from the snapshot (what was said so far), then grows frame by frame
            assert 'id="transcript" hx-swap-oob="innerHTML"' in seen[0] and "say many words" in seen[0]
            assert all(re.search(r"word\d+", f) and 'hx-swap-oob="beforeend"' in f for f in seen[1:])
            # the page, served by worker B mid-reply, renders the live reply from the shared snapshot
            page = httpx.get(f"{b.url}/c/{conversation_id}/", cookies=http.cookies, timeout=10).text
            assert 'class="md streaming"' in page and 'data-busy="true"' in page

            await watcher.send(json.dumps({"action": "stop", "conversation_id": conversation_id}))
            seen += await turn_frames_until(watcher, idle)
        sent += await sending

    assert 'class="msg-status stopped"' in sent[-1]  # worker A's turn stopped, from worker B
    assert 'class="msg-status stopped"' in seen[-1]
    assert "word299" not in sent[-1]
    assert "".join(sent).endswith("".join(seen[1:])) and seen[1:]  # every frame after the join, over Redis
    transcript = httpx.get(f"{a.url}/api/conversations/{conversation_id}/", cookies=http.cookies).json()
    assert transcript["messages"][-1]["status"] == "stopped"
    http.close()


async def test_an_api_turn_on_one_worker_is_followed_and_stopped_from_the_other(workers):
    a, b, emulator = workers
    http = log_in(a.url)
    cookie = f"sessionid={http.cookies['sessionid']}"
    csrf = {"X-CSRFToken": http.cookies["csrftoken"], "Referer": a.url + "/"}
    first = http.post("/api/chat/", json={"message": "hello"}, headers=csrf)
    assert first.status_code == 200, first.text
    conversation_id = first.json()["conversation_id"]
    emulator.push_reply(Reply(content=WORDS))
    emulator.push_fault(Fault(kind="slow", seconds=0.03))

    async with (
        socket(b.url, cookie, f"?c={conversation_id}") as watcher,
        httpx.AsyncClient(base_url=a.url, cookies=http.cookies, timeout=60) as client,
    ):
        body = {"message": "say many words", "conversation_id": conversation_id}
        headers = {**csrf, "Accept": "text/event-stream"}
        async with client.stream("POST", "/api/chat/", json=body, headers=headers) as response:
            assert response.status_code == 200
            seen = await turn_frames_until(watcher, lambda f: re.search(r"\bword20\b", f))
            # worker B's tab joined the API's turn (question, then the reply growing)
            assert 'id="transcript" hx-swap-oob="innerHTML"' in seen[0] and "say many words" in seen[0]
            stop = httpx.post(
                f"{b.url}/api/conversations/{conversation_id}/stop/", cookies=http.cookies, headers=csrf
            )
            assert stop.status_code == 202 and stop.json()["stopping"] is True  # asked on B, runs on A
            raw = b"".join([chunk async for chunk in response.aiter_bytes()])
        seen += await turn_frames_until(watcher, idle)

    events = [json.loads(line[6:]) for line in raw.decode().splitlines() if line.startswith("data: ")]
    assert events[-1]["type"] == "done" and events[-1]["status"] == "stopped"
    assert "word299" not in events[-1]["content"]
    assert 'class="msg-status stopped"' in seen[-1]
    http.close()
