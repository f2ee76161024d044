"""The test suite: same stores as the environment gives (SQLite by default, PostgreSQL/Redis in CI), fast hashing."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-used-anywhere-else-0123456789abcdef"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
WHITENOISE_USE_FINDERS = True
# Find static files per request (no collectstatic in tests), which also stops the 'No directory at: staticfiles/' warning.
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AGENT_TIMEOUT = env.float("AGENT_TIMEOUT", default=10.0)
GROQ_MAX_RETRIES = 0
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, as in production (WAL, busy timeout), not Django's shared-cache in-memory database: there, threads
    # writing at once (turns ending together) fail at once with "database table is locked", which a file never does.
    import os
    import tempfile

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"todo-test-{os.getpid()}.sqlite3")
    }
