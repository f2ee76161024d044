"""The production topology, end to end (called by deploy/ci_smoke.sh): nginx in front of two daphne processes on
PostgreSQL + Redis. Exits non-zero on the first failure.

    python deploy/smoke.py --nginx URL --a URL --b URL --user NAME --password PASS

1. A websocket chat through nginx (login through the real form, then /ws/chat/): the reply arrives and ends.
2. A REST chat through nginx with a Bearer token, streamed as server-sent events: started … done.
3. A task created through process A (REST) reaches a page connected to process B (its task panel re-renders).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import uuid

import httpx
import websockets


def cookie_header(client: httpx.Client) -> str:
    # Production cookies are Secure; this client talks plain HTTP to localhost, so it sends them itself.
    return "; ".join(f"{c.name}={c.value}" for c in client.cookies.jar)


def login(base: str, user: str, password: str) -> str:
    """Logs in through the real login form; returns the Cookie header of the session."""
    with httpx.Client(base_url=base, timeout=30) as client:
        page = client.get("/accounts/login/")
        page.raise_for_status()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        r = client.post(
            "/accounts/login/",
            data={"username": user, "password": password, "csrfmiddlewaretoken": token},
            headers={"Cookie": cookie_header(client), "Referer": f"{base}/accounts/login/"},
        )
        if r.status_code != 302:
            raise SystemExit(f"login through {base} failed: {r.status_code} {r.text[:200]}")
        for name, value in r.cookies.items():
            client.cookies.set(name, value)
        return cookie_header(client)


def ws_url(base: str) -> str:
    return base.replace("http://", "ws://", 1) + "/ws/chat/"


async def ws_chat(base: str, cookie: str, text: str) -> str:
    headers = {"Cookie": cookie}
    async with websockets.connect(ws_url(base), additional_headers=headers, origin=base) as ws:
        await ws.send(json.dumps({"message": text, "conversation_id": "", "HEADERS": {"HX-Request": "true"}}))
        frames = []
        while True:
            frame = await asyncio.wait_for(ws.recv(), timeout=30)
            frames.append(frame)
            if 'id="composer-controls"' in frame and 'data-busy="false"' in frame:
                return "".join(frames)


def rest_chat(base: str, token: str, text: str) -> list[dict]:
    headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
    events = []
    with (
        httpx.Client(base_url=base, timeout=30) as client,
        client.stream("POST", "/api/chat/", json={"message": text}, headers=headers) as r,
    ):
        if r.status_code != 200 or not r.headers["content-type"].startswith("text/event-stream"):
            raise SystemExit(f"REST chat: {r.status_code} {r.headers.get('content-type')}")
        for line in r.iter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line[6:]))
    return events


async def cross_process(a: str, b: str, cookie_b: str, token: str) -> None:
    title = f"smoke {uuid.uuid4().hex[:8]}"
    async with websockets.connect(ws_url(b), additional_headers={"Cookie": cookie_b}, origin=b) as ws:
        await asyncio.sleep(0.5)  # the socket joins its user's group just after the handshake
        r = httpx.post(f"{a}/api/tasks/", json={"title": title}, headers={"Authorization": f"Bearer {token}"})
        if r.status_code != 201:
            raise SystemExit(f"task create through A: {r.status_code} {r.text[:200]}")
        while True:
            frame = await asyncio.wait_for(ws.recv(), timeout=15)
            if title in frame:
                return


def main() -> None:
    parser = argparse.ArgumentParser()
    for name in ("nginx", "a", "b", "user", "password"):
        parser.add_argument(f"--{name}", required=True)
    args = parser.parse_args()

    cookie = login(args.nginx, args.user, args.password)
    transcript = asyncio.run(ws_chat(args.nginx, cookie, "add a task to buy milk"))
    assert "buy milk" in transcript, "websocket chat through nginx: no reply about the task"
    print("ok  websocket chat through nginx")

    r = httpx.post(f"{args.nginx}/api/auth/token/", json={"username": args.user, "password": args.password})
    if r.status_code != 200:
        raise SystemExit(f"token through nginx: {r.status_code} {r.text[:200]}")
    token = r.json()["token"]
    events = rest_chat(args.nginx, token, "what is on my list?")
    kinds = [e["type"] for e in events]
    assert kinds and kinds[0] == "started" and kinds[-1] == "done", f"REST SSE chat through nginx: {kinds}"
    print("ok  REST chat (server-sent events) through nginx")

    asyncio.run(cross_process(args.a, args.b, login(args.b, args.user, args.password), token))
    print("ok  a task changed through process A reached a page on process B")


if __name__ == "__main__":
    try:
        main()
    except (AssertionError, TimeoutError, OSError, httpx.HTTPError) as exc:
        print(f"FAIL {type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(1)
