"""Run Django in a fresh interpreter with an environment the test controls (settings are read once per process)."""

import json
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# Everything our settings read from the environment; the child starts without any of it (CI sets some).
_OUR_PREFIXES = ("DJANGO_", "DATABASE_URL", "REDIS_URL", "GROQ_", "API_RATE_", "AGENT_", "CHAT_")

# A developer's .env must not leak into these tests: the child skips reading it.
_IGNORE_DOTENV = "import environ; environ.Env.read_env = classmethod(lambda cls, *a, **k: None)\n"


def child_env(settings: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_OUR_PREFIXES)}
    return {**env, "DJANGO_SETTINGS_MODULE": settings, **extra}


def run_python(code: str, *, settings: str, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", _IGNORE_DOTENV + code],
        cwd=BASE_DIR,
        env=child_env(settings, **extra),
        capture_output=True,
        text=True,
        timeout=60,
    )


def settings_values(names: list[str], *, settings: str, **extra: str) -> dict:
    """Import the settings module in a child process and return the named values (as JSON)."""
    code = (
        "import json, django\nfrom django.conf import settings\ndjango.setup()\n"
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}, default=str))"
    )
    result = run_python(code, settings=settings, **extra)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def after_asgi_start(code: str) -> str:
    """Import the ASGI application (as daphne does) in a fresh process, then run `code`: its last line of output."""
    result = run_python("import config.asgi\n" + code, settings="config.settings.test")
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def manage(*args: str, settings: str, **extra: str) -> subprocess.CompletedProcess:
    code = f"from django.core.management import execute_from_command_line\nexecute_from_command_line(['manage.py', *{list(args)!r}])"
    return run_python(code, settings=settings, **extra)
