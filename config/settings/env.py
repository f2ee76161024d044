"""The environment, read once: `.env` at the repository root when present, then the process environment."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():  # optional; without the check django-environ logs that it is missing
    env.read_env(BASE_DIR / ".env")
