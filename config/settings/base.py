"""Settings shared by every environment. Everything that differs between machines comes from the environment."""

from datetime import timedelta

from .env import BASE_DIR, env

SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-dev-only-not-secret-9d1c2f7a6b5e4d3c2b1a0f9e8d7c6b5a")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# Proxies in front of the app that append to X-Forwarded-For. 0: the client is REMOTE_ADDR and X-Forwarded-For
# is ignored (anyone can send it). Every throttle and the login lockout read the client IP through core.client_ip.
TRUSTED_PROXIES = env.int("DJANGO_TRUSTED_PROXIES", default=0)
CSRF_FAILURE_VIEW = "core.api_errors.csrf_failure"  # JSON under /api/, Django's page elsewhere

INSTALLED_APPS = [
    "daphne",  # first: its runserver serves websockets too
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "rest_framework",
    "knox",
    "axes",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "users",
    "tasks",
    "chat",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.RejectNulMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out login into the lockout answer
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "chat.web.context_processors.assistant",
            ],
        },
    },
]

# --- Data stores -------------------------------------------------------------------------------------------
from .stores import *  # noqa: E402, F403  (DATABASES, CHANNEL_LAYERS, CACHES and their pools)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


# --- Auth --------------------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTH_USER_MODEL = "users.User"
AUTHENTICATION_BACKENDS = [
    "users.backends.LockoutBackend",  # first: refuses locked-out logins before any password check (axes)
    "django.contrib.auth.backends.ModelBackend",
]
# Login lockout (django-axes) on /accounts/login/, /admin/login/ and POST /api/auth/token/: LOGIN_FAILURE_LIMIT
# failed attempts for one username (from any IP) or from one IP (for any username) lock that username / IP out for
# LOGIN_LOCKOUT_MINUTES after the last failed attempt; it lifts on its own. A success does not reset the count
# (else an attacker could reset an IP's count by logging in to an account of their own).
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_CLIENT_IP_CALLABLE = "core.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "users.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = False
AXES_VERBOSE = False
# API tokens (django-rest-knox): stored as SHA-512 digests, `Authorization: Bearer <token>`, API_TOKEN_TTL_DAYS.
REST_KNOX = {
    "AUTH_HEADER_PREFIX": "Bearer",
    "TOKEN_TTL": timedelta(days=env.int("API_TOKEN_TTL_DAYS", default=30)),
    "AUTO_REFRESH": False,
}
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
DEMO_USER_ENABLED = False  # only local settings create the demo account

# --- i18n / static -----------------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"  # the server's (stored datetimes are UTC); each user has a zone of their own
# A new account's zone until the user picks one (an IANA name).
USERS_DEFAULT_TIMEZONE = env("DJANGO_USER_DEFAULT_TIMEZONE", default="UTC")
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- REST API ----------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "users.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api_errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["core.throttling.UserRateThrottle"],
    "NUM_PROXIES": TRUSTED_PROXIES,  # DRF's own reading of X-Forwarded-For agrees with core.client_ip
    "DEFAULT_THROTTLE_RATES": {
        "user": env("API_RATE_USER", default="600/min"),
        "login": env("API_RATE_LOGIN", default="10/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Todo Assistant API",
    "DESCRIPTION": (
        "Tasks and the chat assistant that manages them. Errors are JSON {message, code}. "
        "Text never holds a NUL character (refused with 400)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # A PATCH body is documented as its serializer says (conversations' PATCH requires `title`), not all-optional.
    "COMPONENT_SPLIT_PATCH": False,
    # Every operation's 400/401/404/429 with the {"message", "code"} body (core/openapi.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.openapi.add_error_responses",
        "core.openapi.drop_form_bodies",
    ],
}

# --- The assistant: GROQ_*, AGENT_*, CHAT_* --------------------------------------------------------------
from .assistant import *  # noqa: E402, F403

# --- Logging: secrets never logged (the groq SDK's own debug logging stays off) -----------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "groq": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
        "mcp": {"level": "WARNING"},
        "axes": {
            "level": "WARNING"
        },  # INFO logs every login; failures and lockouts are WARNING  # the MCP SDK logs every stateless request at INFO
    },
}
