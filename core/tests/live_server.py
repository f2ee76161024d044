"""A live daphne server in a subprocess, for tests that need the real ASGI stack over real sockets (the browser
tests, the MCP tests).

It gets a database of its own, migrated, with users made up front: a temp SQLite file, or `<name>_<suffix>` on
PostgreSQL when DATABASE_URL points there (as in CI). Other processes a test starts (e.g. `manage.py mcp_stdio`)
reach the same database through `LiveDaphne.env`.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_database(tmp: Path, suffix: str) -> tuple[str, str | None]:
    """(DATABASE_URL for the server, PostgreSQL database to drop afterwards)."""
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://", "pgsql://")):
        return f"sqlite:///{tmp / f'{suffix}.sqlite3'}", None
    import psycopg
    from psycopg import sql

    url = urlsplit(base)
    name = f"{url.path.lstrip('/') or 'postgres'}_{suffix}"
    admin = urlunsplit(("postgresql", url.netloc, "/postgres", url.query, ""))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return urlunsplit((url.scheme, url.netloc, f"/{name}", url.query, "")), name


def drop_database(name: str) -> None:
    import psycopg
    from psycopg import sql

    url = urlsplit(os.environ["DATABASE_URL"])
    admin = urlunsplit(("postgresql", url.netloc, "/postgres", url.query, ""))
    with contextlib.suppress(Exception), psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def server_redis() -> str:
    """The suite clears Redis db N between tests (cache.clear()): give the server the next db of its own."""
    base = os.environ.get("REDIS_URL", "")
    if not base:
        return ""
    url = urlsplit(base)
    db = int(url.path.strip("/") or 0)
    return urlunsplit((url.scheme, url.netloc, f"/{(db + 1) % 16}", url.query, ""))


@dataclass(frozen=True)
class LiveDaphne:
    url: str
    env: dict[str, str]  # the server's environment: settings, database, channel layer
    log_path: Path
    pid: int = 0  # the daphne process (a test may kill it)


@contextlib.contextmanager
def live_daphne(
    tmp: Path,
    *,
    suffix: str,
    users: list[str],
    password: str,
    env: dict[str, str],
    share_with: LiveDaphne | None = None,
) -> Iterator[LiveDaphne]:
    """Migrate a fresh database, create `users` (all with `password`), serve it with daphne until the block ends.
    `share_with`: a second worker on that server's database and Redis (no setup of its own)."""
    if share_with is None:
        database_url, pg_name = server_database(tmp, suffix)
        redis_url = server_redis()
    else:
        database_url, pg_name = share_with.env["DATABASE_URL"], None
        redis_url = share_with.env["REDIS_URL"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_DEBUG": "false",
        "PYTHONUNBUFFERED": "1",
        **env,
    }
    setup = (
        "from django.core.management import call_command\n"
        "from django.contrib.auth import get_user_model\n"
        "call_command('migrate', interactive=False, verbosity=0)\n"
        f"for name in {users!r}:\n"
        f"    get_user_model().objects.create_user(name, password={password!r})\n"
    )
    try:
        if share_with is None:
            subprocess.run(
                [sys.executable, "manage.py", "shell", "-c", setup],
                cwd=REPO,
                env=env,
                check=True,
                timeout=120,
            )
        with daphne_process(env, tmp / f"{suffix}-daphne.log") as server:
            yield server
    finally:
        if pg_name:
            drop_database(pg_name)


@contextlib.contextmanager
def daphne_process(env: dict[str, str], log_path: Path) -> Iterator[LiveDaphne]:
    """One daphne on a free port with `env` (e.g. a second worker on another's database and Redis)."""
    port = free_port()
    server = None
    try:
        with log_path.open("wb") as log:
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "core.serve",
                    "-b",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "config.asgi:application",
                ],
                cwd=REPO,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        url = f"http://127.0.0.1:{port}"
        _wait_until_up(server, url, log_path)
        yield LiveDaphne(url, env, log_path, server.pid)
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_until_up(server: subprocess.Popen, url: str, log_path: Path) -> None:
    deadline = time.monotonic() + 30
    while True:
        if server.poll() is not None:
            pytest.fail(f"daphne exited early:\n{log_path.read_text()}", pytrace=False)
        try:
            with urllib.request.urlopen(f"{url}/accounts/login/", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"daphne did not start:\n{log_path.read_text()}", pytrace=False)
        time.sleep(0.2)
