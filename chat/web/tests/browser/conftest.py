"""Browser tests: Debian's Chromium, driven by Playwright (sync API), against a live daphne server.

The server runs in a subprocess with its own database (a temp SQLite file, or `<name>_browser` on PostgreSQL
when DATABASE_URL points there, as in CI), its own migrated users, and GROQ_BASE_URL pointing at a Groq-wire
emulator in this process, so tests can inject faults (e.g. a slow stream to press Stop). Playwright never
downloads a browser here: without /usr/bin/chromium these tests skip, or fail when REQUIRE_BROWSER_TESTS is set.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import socket
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from core.tests.live_server import live_daphne
from groq_emulator import EmulatorServer

REPO = Path(__file__).resolve().parents[4]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SCREENSHOTS = REPO / "artifacts" / "screenshots"
PASSWORD = "browser-pass-2026"
USERS = [f"browser{n}" for n in range(1, 41)]


def _unavailable(reason: str) -> None:
    if os.environ.get("REQUIRE_BROWSER_TESTS"):
        pytest.fail(f"REQUIRE_BROWSER_TESTS is set but {reason}", pytrace=False)
    pytest.skip(reason)


class LiveServer:
    def __init__(
        self, url: str, emulator: EmulatorServer, users: list[str], env: dict[str, str] | None = None
    ):
        self.url = url
        self.emulator = emulator
        self.env = env or {}  # the server's environment (its database), for setup scripts
        self._users = iter(users)

    def new_user(self) -> str:
        """A user of one's own for each test, so panels and sidebars start empty."""
        return next(self._users)


@pytest.fixture(scope="package")
def chat_server(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        _unavailable(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    tmp = tmp_path_factory.mktemp("browser-server")
    emulator = EmulatorServer(host="127.0.0.1", port=0, chunk_delay=0.01).start()
    env = {
        "GROQ_BASE_URL": emulator.base_url,
        "GROQ_API_KEY": "",  # the page shows the offline-demo banner
        "CHAT_RATE_PER_MINUTE": "1000",
        "AGENT_TIMEOUT": "20",
    }
    try:
        with live_daphne(tmp, suffix="browser", users=USERS, password=PASSWORD, env=env) as server:
            try:
                yield LiveServer(server.url, emulator, USERS, server.env)
            finally:
                if os.environ.get("BROWSER_SERVER_LOG"):
                    shutil.copy(server.log_path, os.environ["BROWSER_SERVER_LOG"])
    finally:
        emulator.stop()


class DroppableProxy:
    """A loopback TCP proxy in front of the server whose connections can be cut, like a network drop."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self.accepting = threading.Event()
        self.accepting.set()
        threading.Thread(target=self._serve, daemon=True, name="browser-proxy").start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if not self.accepting.is_set():
                client.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            with self._lock:
                self._sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.close()

    def drop_all(self) -> None:
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    def close(self) -> None:
        self._listener.close()
        self.drop_all()


@pytest.fixture
def proxy(chat_server):
    proxy = DroppableProxy(urlsplit(chat_server.url).port)
    yield proxy
    proxy.close()


@pytest.fixture(scope="package")
def browser(chat_server):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -r requirements/test.txt)")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Exception as exc:
        playwright.stop()
        _unavailable(f"Chromium did not start: {exc}")
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def emulator(chat_server):
    chat_server.emulator.reset()
    yield chat_server.emulator
    chat_server.emulator.reset()


_contexts = itertools.count()


@pytest.fixture
def new_context(browser):
    """Opens browser contexts (one cookie jar each) and closes them after the test."""
    opened = []

    def make(**options):
        context = browser.new_context(
            viewport=options.pop("viewport", {"width": 1366, "height": 860}), **options
        )
        context.set_default_timeout(10_000)
        opened.append(context)
        return context

    yield make
    for context in opened:
        context.close()


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), animations="disabled")
        return path

    return take


def log_in(page, server: LiveServer, username: str | None = None, base_url: str | None = None) -> str:
    username = username or server.new_user()
    base_url = base_url or server.url
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/")
    wait_connected(page)
    return username


def wait_connected(page) -> None:
    page.wait_for_selector("#connection[data-state='open']")


@pytest.fixture(autouse=True)
def _close_turn_connections():
    """Overrides chat/tests/conftest.py's: no turn runs in this process (the server is a subprocess), and while
    Playwright's sync API is active this thread looks like it runs an event loop, so asyncio.run() would fail."""
    yield
