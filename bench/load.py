"""Streams at scale: N concurrent websocket chats and N REST SSE chats against one daphne process.

    .venv/bin/python bench/load.py [--levels 1,50,100,200,300] [--users 10] [--rate 500] [--tokens 300]

Starts its own upstream (bench/upstream.py: asyncio, a fixed token rate) and one daphne process (production
settings on a throwaway SQLite file, or on DATABASE_URL/REDIS_URL with --use-env-stores), logs users in through
the real login form, then per level N runs N websocket chats and N REST SSE chats at once (2N streams) and prints:

- added TTFT p50/p95: (first text at the client − message sent) − (first token sent − request received at the
  upstream): what the app adds before the model's first token reaches the user;
- over pace p50/p95: (turn done at the client − message sent) − the model's own duration (tokens / rate);
- × pace p50/p95: (turn done − message sent) / the model's own pace (its first-token delay + tokens / rate);
- failed turns; daphne CPU per turn (utime+stime from /proc/<pid>/stat over the level / turns);
- to model p50: message sent → the model's request received, the part of the added TTFT before the model call;
  then the same for the websocket turns and for the SSE turns apart (under a burst, on SQLite, an SSE turn's save
  waits in the one database thread behind the websocket turns' saves: bench/RESULTS.md, fourteenth round);
- with --use-env-stores, stores ms/turn: the CPU of this machine's PostgreSQL and Redis server processes over the
  level / turns (they share the cores with daphne; a backend that exits during the level is not counted);
- unless --no-bare, bare × pace p50/p95: just before the level, as many streams read at once by the bare `groq`
  SDK from the same upstream, in this process (no daphne): this machine's own slowdown at that concurrency; and
  ÷ bare, the level's × pace p50 over the bare one's: the part of the slowdown that is ours;
then the memory of idle sockets (RSS growth per open authenticated websocket) and the queries and CPU of one turn at
2/50/500 prior messages (in this process: the engine over the same upstream, every query counted on every thread).
Figures depend on the machine and its load: the header states both. Never part of `make test`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import groq
import httpx
import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from deploy.smoke import login  # noqa: E402  (the real login form, Secure cookies over plain HTTP)

PASSWORD = "bench-pass-" + secrets.token_hex(4)
TICKS = os.sysconf("SC_CLK_TCK")


def machine() -> str:
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, load average {load}"


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def store_cpu() -> dict[int, float]:
    """CPU seconds so far of each local PostgreSQL and Redis server process, by pid."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() in ("postgres", "redis-server"):
                found[int(entry.name)] = cpu_seconds(int(entry.name))
        except (OSError, ValueError, IndexError):  # ended meanwhile
            continue
    return found


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def daphne_endpoint(port: int) -> str:
    """As deploy/ runs daphne: a listen backlog of 1,024 (twisted's default, 50, overflows when hundreds of
    clients connect at once, and the kernel then resets some of their connections)."""
    return f"tcp:port={port}:interface=127.0.0.1:backlog=1024"


# deploy/daphne@.service's other options: no idle limit on a websocket, 30 s (not daphne's 5) for one to be
# accepted, 30 s for a closing application (a turn being saved).
DAPHNE_OPTIONS = ["--websocket_timeout", "-1", "--websocket_connect_timeout", "30"]
DAPHNE_OPTIONS += ["--application-close-timeout", "30"]
# A browser waits for a websocket's handshake as long as the server takes; the websockets client gives up at 10 s.
OPEN_TIMEOUT = 60


def nginx_path() -> str | None:
    """Debian's nginx, if installed (deploy/ci_smoke.sh installs it in CI)."""
    found = shutil.which("nginx") or "/usr/sbin/nginx"
    return found if os.access(found, os.X_OK) else None


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Bench:
    def __init__(self, args: argparse.Namespace, *, log_errors: bool = False):
        self.args = args
        self.log_errors = log_errors
        self.tmp = tempfile.TemporaryDirectory(prefix="bench-load-")
        self.env = dict(os.environ)
        self.env.update(
            DJANGO_SETTINGS_MODULE="config.settings.production",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            DJANGO_SECURE_SSL_REDIRECT="false",
            DJANGO_LOG_LEVEL="ERROR",
            CHAT_RATE_PER_MINUTE="1000000",
            API_RATE_USER="1000000/min",
            API_RATE_LOGIN="100000/min",
            AGENT_TIMEOUT="120",
            GROQ_MAX_RETRIES="0",
            GROQ_API_KEY="bench-key",
        )
        if args.processes > 1:  # behind nginx: trust its X-Forwarded-For (one proxy)
            self.env["DJANGO_TRUSTED_PROXIES"] = "1"
        if not args.use_env_stores:
            self.env["DATABASE_URL"] = f"sqlite:///{self.tmp.name}/db.sqlite3"
            self.env.pop("REDIS_URL", None)
        self.procs: list[subprocess.Popen] = []

    def manage(self, *argv: str) -> None:
        subprocess.run([sys.executable, "manage.py", *argv], cwd=ROOT, env=self.env, check=True)

    def start(self) -> None:
        self.manage("migrate", "--noinput", "-v", "0")
        if not (ROOT / "staticfiles" / "staticfiles.json").exists():
            self.manage("collectstatic", "--noinput", "-v", "0")
        code = (
            "from users.models import User\n"
            f"for n in range({self.args.users}):\n"
            f"    name = 'bench-{{}}'.format(n)\n"
            "    u = User.objects.filter(username=name).first() or User(username=name)\n"
            f"    u.set_password({PASSWORD!r}); u.save()\n"
            "    print(u.pk)\n"
        )
        shell = [sys.executable, "manage.py", "shell", "-v", "0", "-c", code]
        made = subprocess.run(shell, cwd=ROOT, env=self.env, check=True, capture_output=True, text=True)
        self.user_ids = [int(x) for x in made.stdout.split()]
        upstream = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "upstream.py"), "--rate", str(self.args.rate)]
            + ["--tokens", str(self.args.tokens), "--tokens-per-chunk", str(self.args.tokens_per_chunk)],
            stdout=subprocess.PIPE,
            text=True,
        )
        self.procs.append(upstream)
        self.upstream = f"http://127.0.0.1:{upstream.stdout.readline().split()[1]}"
        self.env["GROQ_BASE_URL"] = self.upstream
        self.daphnes = []
        for n in range(self.args.processes):
            port = free_port()
            daphne = subprocess.Popen(
                [sys.executable, "-m", "core.serve", "-e", daphne_endpoint(port), *DAPHNE_OPTIONS]
                + ["-v", "0", "config.asgi:application"],
                cwd=ROOT,
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=open(Path(self.tmp.name) / f"daphne-{n}.log", "w") if self.log_errors else None,  # noqa: SIM115
            )
            self.procs.append(daphne)
            self.daphnes.append((daphne, port))
        for _, port in self.daphnes:
            for _ in range(300):
                try:
                    httpx.get(f"http://127.0.0.1:{port}/accounts/login/", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
        self.base = f"http://127.0.0.1:{self.daphnes[0][1]}"
        if len(self.daphnes) > 1:
            self.base = self.start_nginx([port for _, port in self.daphnes])
        self.cookies = [login(self.base, f"bench-{n}", PASSWORD) for n in range(self.args.users)]
        self.tokens = []
        for n in range(self.args.users):
            r = httpx.post(
                f"{self.base}/api/auth/token/", json={"username": f"bench-{n}", "password": PASSWORD}
            )
            self.tokens.append(r.json()["token"])

    def start_nginx(self, ports: list[int]) -> str:
        """Debian's nginx in front of the daphne processes, with deploy/'s locations (as the CI smoke test)."""
        nginx = nginx_path()
        work, port = Path(self.tmp.name), free_port()
        for name, target in (
            ("app_locations.conf", "app_locations.conf"),
            ("proxy_headers.conf", "todo_proxy_headers.conf"),
        ):
            shutil.copy(ROOT / "deploy" / name, work / target)
        servers = " ".join(f"server 127.0.0.1:{p};" for p in ports)
        (work / "nginx.conf").write_text(
            f"worker_processes 1; pid {work}/nginx.pid; error_log {work}/nginx-error.log warn;\n"
            "events { worker_connections 8192; }\n"
            "http { include /etc/nginx/mime.types; access_log off;\n"
            f"  client_body_temp_path {work}/body; proxy_temp_path {work}/proxy;\n"
            f"  fastcgi_temp_path {work}/fastcgi; uwsgi_temp_path {work}/uwsgi; scgi_temp_path {work}/scgi;\n"
            f"  upstream todo_daphne {{ least_conn; {servers} keepalive 64; }}\n"
            "  map $http_upgrade $connection_upgrade { default upgrade; '' ''; }\n"
            f"  server {{ listen 127.0.0.1:{port}; include app_locations.conf; }}\n"
            "}\n"
        )
        command = [nginx, "-p", str(work), "-c", str(work / "nginx.conf")]
        subprocess.run(command, check=True)
        self.nginx = command  # started: stop() stops it
        return f"http://127.0.0.1:{port}"

    def cpu(self) -> float:
        """CPU seconds of every daphne process so far."""
        return sum(cpu_seconds(proc.pid) for proc, _ in self.daphnes)

    def rss(self) -> int:
        return sum(rss_kb(proc.pid) for proc, _ in self.daphnes)

    def daphne_errors(self) -> list[str]:
        log = "".join(f.read_text() for f in sorted(Path(self.tmp.name).glob("daphne-*.log")))
        Path(tempfile.gettempdir(), "bench-daphne.log").write_text(log)  # kept for reading after the run
        return [line for line in log.splitlines() if "Traceback" in line or " ERROR " in line]

    def stop(self) -> None:
        if getattr(self, "nginx", None):
            try:
                subprocess.run([*self.nginx, "-s", "stop"], check=False)
            except OSError as exc:  # still stop the rest
                print(f"could not stop nginx: {exc}", file=sys.stderr)
        for proc in reversed(self.procs):
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.tmp.cleanup()

    # --- one chat of each kind ------------------------------------------------------------------------------
    async def ws_chat(self, n: int, key: str) -> dict:
        url = self.base.replace("http", "ws", 1) + "/ws/chat/"
        out = {"key": key, "ok": False}
        try:
            async with websockets.connect(
                url,
                additional_headers={"Cookie": self.cookies[n % len(self.cookies)]},
                origin=self.base,
                open_timeout=OPEN_TIMEOUT,
            ) as ws:
                out["sent"] = time.monotonic()
                await ws.send(json.dumps({"message": f"[bench:{key}] hello", "conversation_id": ""}))
                while True:
                    frame = await asyncio.wait_for(ws.recv(), timeout=120)
                    if "first" not in out and "word" in frame:
                        out["first"] = time.monotonic()
                    if 'data-busy="false"' in frame:
                        out["done"], out["ok"] = time.monotonic(), 'role="alert"' not in frame
                        return out
        except Exception as exc:  # a failed turn, counted
            out["error"] = repr(exc)
            return out

    async def sse_chat(self, client: httpx.AsyncClient, n: int, key: str) -> dict:
        headers = {
            "Authorization": f"Bearer {self.tokens[n % len(self.tokens)]}",
            "Accept": "text/event-stream",
        }
        out = {"key": key, "ok": False, "sent": time.monotonic()}
        if self.args.rest == "json":
            return await self.json_chat(client, headers, out)
        try:
            body = {"message": f"[bench:{key}] hello"}
            async with client.stream("POST", "/api/chat/", json=body, headers=headers) as r:
                async for line in r.aiter_lines():
                    if not line.startswith("data: "):
                        continue
                    event = json.loads(line[6:])
                    if event["type"] == "text" and "first" not in out:
                        out["first"] = time.monotonic()
                    if event["type"] in ("done", "error"):
                        out["done"], out["ok"] = time.monotonic(), event["type"] == "done"
            return out
        except Exception as exc:
            out["error"] = repr(exc)
            return out

    async def json_chat(self, client: httpx.AsyncClient, headers: dict, out: dict) -> dict:
        """The REST chat answered as one JSON body (no stream): its first text is its end."""
        headers = {**headers, "Accept": "application/json"}
        try:
            r = await client.post(
                "/api/chat/", json={"message": f"[bench:{out['key']}] hello"}, headers=headers
            )
            out["first"] = out["done"] = time.monotonic()
            out["ok"] = r.status_code == 200 and bool(r.json().get("response"))
        except Exception as exc:
            out["error"] = repr(exc)
        return out

    def settle(self, seconds: float = 15.0) -> None:
        """Wait until daphne is idle (sockets closed by the previous step are still being torn down)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            before = self.cpu()
            time.sleep(0.3)
            if self.cpu() - before <= 0.01 * len(self.daphnes):
                return

    async def level(self, n: int) -> dict:
        self.settle()
        limits = httpx.Limits(max_connections=n + 10, max_keepalive_connections=n + 10)
        async with httpx.AsyncClient(base_url=self.base, timeout=120, limits=limits) as client:
            cpu0, stores0 = self.cpu(), store_cpu()
            runs = await asyncio.gather(
                *(
                    self.ws_chat(i, f"ws-{n}-{i}-{uuid.uuid4().hex[:6]}")
                    for i in range(n if "ws" in self.args.kinds else 0)
                ),
                *(
                    self.sse_chat(client, i, f"sse-{n}-{i}-{uuid.uuid4().hex[:6]}")
                    for i in range(n if "sse" in self.args.kinds else 0)
                ),
            )
            cpu = self.cpu() - cpu0
            stores = sum(t - stores0.get(pid, 0.0) for pid, t in store_cpu().items())
            timings = (await client.get(f"{self.upstream}/timings")).json()
        return {"n": n, **self.measure(runs, timings), "cpu": cpu / len(runs), "stores": stores / len(runs)}

    def measure(self, runs: list[dict], timings: dict) -> dict:
        """Each finished run against the upstream's own timings of its stream."""
        model = self.args.tokens / self.args.rate
        added, before, over, ratio = [], [], [], []
        before_kind: dict[str, list[float]] = {"ws": [], "sse": [], "bare": []}
        for run in runs:
            up = timings.get(run["key"])
            if run["ok"] and up and "first" in run and up.get("first_token"):
                added.append((run["first"] - run["sent"]) - (up["first_token"] - up["arrived"]))
                before.append(up["arrived"] - run["sent"])  # the part of it before the model was called
                before_kind[run["key"].split("-", 1)[0]].append(before[-1])
                over.append(run["done"] - run["sent"] - model)
                # The model's own pace: its first-token delay, then tokens / rate.
                ratio.append((run["done"] - run["sent"]) / (up["first_token"] - up["arrived"] + model))
        return {
            "added": added,
            "before": before,
            "before_ws": before_kind["ws"],
            "before_sse": before_kind["sse"],
            "over": over,
            "ratio": ratio,
            "failed": sum(1 for run in runs if not run["ok"]),
            "errors": sorted({run.get("error", "") for run in runs if not run["ok"]} - {""})[:2],
        }

    # --- the same streams read by the bare SDK, without daphne --------------------------------------------
    async def bare_chat(self, client: groq.AsyncGroq, key: str) -> dict:
        out = {"key": key, "ok": False, "sent": time.monotonic()}
        try:
            stream = await client.chat.completions.create(
                model="openai/gpt-oss-120b",
                messages=[{"role": "user", "content": f"[bench:{key}] hello"}],
                stream=True,
            )
            async for chunk in stream:  # the SDK's typed objects, as a plain client of Groq reads them
                if "first" not in out and chunk.choices and chunk.choices[0].delta.content:
                    out["first"] = time.monotonic()
            out["done"], out["ok"] = time.monotonic(), True
        except Exception as exc:  # a failed stream, counted
            out["error"] = repr(exc)
        return out

    async def bare_level(self, n: int) -> dict:
        """As many streams as the level's chats, read at once by the bare `groq` SDK in this process: how far
        this machine (its cores shared by the clients, the upstream and the stores) is from the model's pace
        without daphne. The level's "÷ bare" is the part of the slowdown that is ours."""
        self.settle()
        streams = n * len(self.args.kinds.split(","))
        async with groq.AsyncGroq(
            base_url=self.upstream, api_key="bench-key", max_retries=0, timeout=120
        ) as client:
            runs = await asyncio.gather(
                *(self.bare_chat(client, f"bare-{n}-{i}-{uuid.uuid4().hex[:6]}") for i in range(streams))
            )
        async with httpx.AsyncClient() as http:
            timings = (await http.get(f"{self.upstream}/timings")).json()
        return self.measure(runs, timings)

    async def idle_sockets(self, count: int) -> float:
        url = self.base.replace("http", "ws", 1) + "/ws/chat/"
        rss0 = self.rss()
        sockets = []
        for i in range(count):
            cookie = self.cookies[i % len(self.cookies)]
            sockets.append(
                await websockets.connect(url, additional_headers={"Cookie": cookie}, origin=self.base)
            )
        await asyncio.sleep(1.0)
        grown = self.rss() - rss0
        await asyncio.gather(*(s.close() for s in sockets))
        return grown / count


def history_cost(env: dict, prior_counts: list[int], turns: int = 10) -> dict[int, tuple[int, float]]:
    """The engine's queries (counted on every thread) and CPU (this process's, thread hops included) for one turn
    after `prior` messages, in this process: the mean of `turns` turns, each in a new conversation of that length."""
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    import django

    django.setup()
    from asgiref.sync import sync_to_async
    from django.db.backends import utils

    from chat.models import Conversation, Message, UsageDay
    from chat.turn.start import start_turn
    from users.models import User

    counter = {"n": 0}
    real = utils.CursorWrapper._execute_with_wrappers

    def counting(self, *args, **kwargs):
        counter["n"] += 1
        return real(self, *args, **kwargs)

    utils.CursorWrapper._execute_with_wrappers = counting

    def setup(prior: int) -> tuple[User, int]:
        user = User.objects.get(username="bench-0")
        UsageDay.objects.filter(user=user).delete()  # the daily allowance is not what is measured
        conversation = Conversation.objects.create(owner=user, title=f"history {prior}")
        Message.objects.bulk_create(
            Message(
                conversation=conversation, role="user" if i % 2 == 0 else "assistant", content=f"m{i} " * 20
            )
            for i in range(prior)
        )
        return user, conversation.pk

    async def one(prior: int) -> tuple[int, float]:
        user, conversation_id = await sync_to_async(setup)(prior)
        counter["n"], cpu = 0, time.process_time()
        turn = await start_turn(user=user, text="[bench:q] hello", conversation_id=conversation_id)
        [event async for event in turn.events()]
        return counter["n"], time.process_time() - cpu

    async def mean(prior: int) -> tuple[int, float]:
        await one(prior)  # the first turn of a size loads what the others reuse
        runs = [await one(prior) for _ in range(turns)]
        return max(q for q, _ in runs), sum(c for _, c in runs) / turns

    return {prior: asyncio.run(mean(prior)) for prior in prior_counts}


def ms(values: list[float], q: float) -> str:
    return f"{pct(values, q) * 1000:7.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="1,50,100,200,300")
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--rate", type=float, default=500.0, help="model tokens/s per stream")
    parser.add_argument("--tokens", type=int, default=300, help="tokens per reply (the issue's setup: 300)")
    parser.add_argument("--tokens-per-chunk", type=int, default=3)
    parser.add_argument(
        "--kinds", default="ws,sse", help="which chats a level runs: ws, sse or both (N of each)"
    )
    parser.add_argument(
        "--rest",
        choices=("sse", "json"),
        default="sse",
        help="the REST chats stream (sse) or answer as one JSON",
    )
    parser.add_argument("--idle-sockets", type=int, default=200, help="0 skips the idle-socket memory")
    parser.add_argument(
        "--history", default="2,50,500", help='"" skips the queries and CPU per turn after N prior messages'
    )
    parser.add_argument(
        "--use-env-stores", action="store_true", help="DATABASE_URL/REDIS_URL from the environment"
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="daphne processes; more than one run behind Debian's nginx and need --use-env-stores (Redis)",
    )
    parser.add_argument(
        "--bare",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="before each level, the same number of streams read by the bare groq SDK (no daphne)",
    )
    args = parser.parse_args()
    if args.processes > 1 and not (args.use_env_stores and os.environ.get("REDIS_URL")):
        parser.error(
            "--processes > 1 needs --use-env-stores with DATABASE_URL and REDIS_URL (one channel layer)"
        )

    if args.processes > 1 and nginx_path() is None:
        parser.error(
            "--processes > 1 runs behind Debian's nginx, which is not installed (apt-get install nginx)"
        )

    bench = Bench(args)
    print(f"bench/load.py on {machine()}")
    print(
        f"model: {args.tokens} tokens at {args.rate:g} tok/s ({args.tokens / args.rate * 1000:.0f} ms a reply), "
        f"{args.tokens_per_chunk} tokens a chunk; "
        f"{'one daphne' if args.processes == 1 else f'{args.processes} daphne processes behind nginx'}; "
        f"{'env stores' if args.use_env_stores else 'SQLite'}"
    )
    try:
        bench.start()
        if args.idle_sockets:
            per_socket = asyncio.run(bench.idle_sockets(args.idle_sockets))
            print(
                f"idle websocket: {per_socket:.1f} KB RSS each "
                f"({args.idle_sockets} open, authenticated, fresh process)"
            )
        # A fresh process's first turns pay one-off costs (imports done lazily, the model client and its TLS
        # context, template compilation, the first database connections): ~100 ms. Shown apart, not in level 1.
        first = asyncio.run(bench.level(1))
        print(
            f"first turns after start (one websocket, one SSE; not counted below): added TTFT "
            f"{ms(first['added'], 0.5).strip()} ms, CPU {first['cpu'] * 1000:.0f} ms a turn"
        )
        print(
            f"{'level':>5} {'streams':>7}  {'added TTFT ms p50/p95':>22}  {'over pace ms p50/p95':>21}  "
            f"{'× pace p50/p95':>14}  {'failed':>6}  {'CPU ms/turn':>11}  {'to model p50':>12}  "
            f"{'ws / SSE':>13}  load"
            + ("  stores ms/turn" if args.use_env_stores else "")
            + ("  bare × pace p50/p95  ÷ bare" if args.bare else "")
        )
        for n in (int(x) for x in args.levels.split(",")):
            bare = asyncio.run(bench.bare_level(n)) if args.bare else None
            r = asyncio.run(bench.level(n))
            print(
                f"{n:>5} {n * len(args.kinds.split(',')):>7}  {ms(r['added'], 0.5)} / {ms(r['added'], 0.95)}    "
                f"{ms(r['over'], 0.5)} / {ms(r['over'], 0.95)}  "
                f"{pct(r['ratio'], 0.5):6.2f} / {pct(r['ratio'], 0.95):5.2f}  {r['failed']:>6}  "
                f"{r['cpu'] * 1000:>11.1f}  {ms(r['before'], 0.5):>12}  "
                f"{ms(r['before_ws'], 0.5).strip():>6}/{ms(r['before_sse'], 0.5).strip():<6}  {os.getloadavg()[0]:.2f}"
                + (f"  {r['stores'] * 1000:>14.1f}" if args.use_env_stores else "")
                + (
                    f"  {pct(bare['ratio'], 0.5):12.2f} / {pct(bare['ratio'], 0.95):5.2f}"
                    f"  {pct(r['ratio'], 0.5) / pct(bare['ratio'], 0.5):5.2f}"
                    + (f" ({bare['failed']} bare failed)" if bare["failed"] else "")
                    if bare
                    else ""
                )
                + (f"  {r['errors']}" if r["errors"] else "")
            )
        env = {
            k: v
            for k, v in bench.env.items()
            if k in ("DATABASE_URL", "REDIS_URL", "GROQ_BASE_URL", "GROQ_API_KEY", "CHAT_RATE_PER_MINUTE")
        }
        if args.history:
            costs = history_cost(env, [int(x) for x in args.history.split(",")])
            print(
                "per turn after N prior messages (engine in this process, no tool call): "
                + ", ".join(f"{p} prior: {q} queries, {c * 1000:.1f} ms CPU" for p, (q, c) in costs.items())
            )
        print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        bench.stop()


if __name__ == "__main__":
    main()
