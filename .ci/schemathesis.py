"""Does the OpenAPI schema tell the truth? Schemathesis runs its default checks over every operation of /api/schema/
against a live daphne (fresh SQLite database, offline model, a Bearer token), with a fixed seed and few examples per
operation. Exits non-zero on any failure; prints how long it took.

    .venv/bin/python .ci/schemathesis.py          # or: make schemathesis

Left out of fuzzing: `DELETE /api/auth/token/` only, since it revokes the very token the run authenticates with.
`POST /api/auth/token/` is fuzzed with the login lockout (django-axes) and its throttle left on, as in production:
their 429s are part of the documented contract. The per-user API throttle and the chat rate are raised for this
server only, so hundreds of requests a minute measure the schema, not the throttle.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SEED = int(os.environ.get("SCHEMATHESIS_SEED", "20261126"))
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "15"))
_OUR_PREFIXES = ("DJANGO_", "DATABASE_URL", "REDIS_URL", "GROQ_", "API_RATE_", "AGENT_", "CHAT_", "LOGIN_")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(server: subprocess.Popen, url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("daphne exited early")
        try:
            with urllib.request.urlopen(f"{url}/api/schema/", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    sys.exit("daphne did not start")


def main() -> int:
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="schemathesis-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(_OUR_PREFIXES)}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        API_RATE_USER="100000/min",
        CHAT_RATE_PER_MINUTE="100000",
        PYTHONUNBUFFERED="1",
    )
    setup = (
        "from django.core.management import call_command\n"
        "from users.models import User\nfrom users.tokens import token_create\n"
        "call_command('migrate', interactive=False, verbosity=0)\n"
        "user = User.objects.create_user('schemathesis', password='schemathesis-pass-2026')\n"
        "print(token_create(user=user)[1])\n"
    )
    made = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "manage.py", "shell", "-c", setup],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    token = made.stdout.strip().splitlines()[-1]
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = (tmp / "daphne.log").open("wb")
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_until_up(server, url)
        command = [
            str(BIN / "st"),
            "--config-file",
            str(REPO / ".ci" / "schemathesis.toml"),
            "run",
            f"{url}/api/schema/",
            "--header",
            f"Authorization: Bearer {token}",
            "--seed",
            str(SEED),
            "--max-examples",
            str(MAX_EXAMPLES),
            "--exclude-operation-id",
            "auth_token_destroy",
            "--workers",
            "1",
            # The schema's description says text never holds NUL (every form and JSON string refuses it with 400).
            "--generation-allow-x00",
            "false",
            "--no-color",
            *sys.argv[1:],
        ]
        code = subprocess.run(command, cwd=REPO, check=False).returncode  # noqa: S603
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
        if os.environ.get("SCHEMATHESIS_KEEP_LOG"):
            print(f"daphne log: {tmp / 'daphne.log'}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"schemathesis: exit {code} in {time.monotonic() - started:.0f} s")
    return code


if __name__ == "__main__":
    sys.exit(main())
