"""Each environment's settings, loaded in a fresh process with a controlled environment."""

import secrets

import pytest
import redis
from django.db.utils import ConnectionHandler

from core.tests.processes import BASE_DIR, manage, run_python, settings_values

pytestmark = pytest.mark.timeout(120)

PRODUCTION = {
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),  # 67 random characters
    "DJANGO_ALLOWED_HOSTS": "todo.example.com",
}


@pytest.mark.parametrize("module", ["config.settings.local", "config.settings.test"])
def test_without_database_url_the_database_is_sqlite_next_to_manage_py(module):
    values = settings_values(["DATABASES"], settings=module)

    default = values["DATABASES"]["default"]
    assert default["ENGINE"] == "django.db.backends.sqlite3"
    assert default["NAME"] == str(BASE_DIR / "db.sqlite3")


def test_database_url_selects_postgresql():
    values = settings_values(
        ["DATABASES"],
        settings="config.settings.local",
        DATABASE_URL="postgres://todo:s3cret@db.example.com:5433/todo_assistant",
    )

    default = values["DATABASES"]["default"]
    assert default["ENGINE"] == "django.db.backends.postgresql"
    assert (default["NAME"], default["USER"], default["PASSWORD"]) == ("todo_assistant", "todo", "s3cret")
    assert (default["HOST"], int(default["PORT"])) == ("db.example.com", 5433)


def test_without_redis_url_everything_stays_in_process():
    values = settings_values(["CHANNEL_LAYERS", "CACHES"], settings="config.settings.local")

    assert values["CHANNEL_LAYERS"]["default"]["BACKEND"] == "core.channel_layer.InMemoryChannelLayer"
    assert values["CHANNEL_LAYERS"]["default"]["CONFIG"] == {"capacity": 1000}
    assert values["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_redis_url_selects_redis_for_channels_and_cache_with_blocking_pools():
    url = "redis://redis.example.com:6380/2"
    values = settings_values(
        ["CHANNEL_LAYERS", "CACHES"], settings="config.settings.local", REDIS_URL=url, REDIS_POOL_MAX="7"
    )

    driver = f"DriverInfo(name='redis-py', lib_version='{redis.__version__}', _upstream=[])"  # JSON: its repr
    assert values["CHANNEL_LAYERS"]["default"] == {
        "BACKEND": "core.channel_layer.BlockingPoolRedisChannelLayer",
        "CONFIG": {
            "hosts": [
                {
                    "address": url,
                    "max_connections": 7,
                    "timeout": 20.0,
                    "socket_timeout": 30.0,
                    "driver_info": driver,
                }
            ],
            "capacity": 1000,
        },
    }
    assert values["CACHES"]["default"] == {
        "BACKEND": "core.cache.SharedClientRedisCache",
        "LOCATION": url,
        "OPTIONS": {
            "pool_class": "redis.BlockingConnectionPool",
            "max_connections": 7,
            "timeout": 20.0,
            "driver_info": driver,
        },
    }


@pytest.mark.parametrize("module", ["config.settings.local", "config.settings.production"])
def test_postgresql_uses_psycopgs_pool_and_no_persistent_connections(module):
    values = settings_values(
        ["DATABASES"],
        settings=module,
        DATABASE_URL="postgres://todo@db.example.com/todo",
        DJANGO_DB_POOL_MIN="3",
        DJANGO_DB_POOL_MAX="12",
        **PRODUCTION,
    )

    default = values["DATABASES"]["default"]
    assert default["OPTIONS"]["pool"] == {"min_size": 3, "max_size": 12, "timeout": 10.0}
    assert default["CONN_MAX_AGE"] == 0


def test_postgresql_without_the_pool_keeps_persistent_connections_in_production():
    values = settings_values(
        ["DATABASES"],
        settings="config.settings.production",
        DATABASE_URL="postgres://todo@db.example.com/todo",
        DJANGO_DB_POOL_MAX="0",
        **PRODUCTION,
    )

    assert "pool" not in values["DATABASES"]["default"].get("OPTIONS", {})
    assert values["DATABASES"]["default"]["CONN_MAX_AGE"] == 60


def test_sqlite_keeps_one_connection_per_thread():
    values = settings_values(["DATABASES"], settings="config.settings.local")

    assert values["DATABASES"]["default"]["CONN_MAX_AGE"] == 600


def test_local_settings_are_for_development():
    values = settings_values(["DEBUG", "DEMO_USER_ENABLED"], settings="config.settings.local")

    assert values == {"DEBUG": True, "DEMO_USER_ENABLED": True}


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_secret_or_hosts(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}

    result = run_python("import django; django.setup()", settings="config.settings.production", **env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"Set the {missing} environment variable" in result.stderr


def test_production_ignores_a_debug_flag_in_the_environment():
    values = settings_values(
        ["DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DEMO_USER_ENABLED"],
        settings="config.settings.production",
        DJANGO_DEBUG="true",
        **PRODUCTION,
    )

    assert values == {
        "DEBUG": False,
        "SECRET_KEY": PRODUCTION["DJANGO_SECRET_KEY"],
        "ALLOWED_HOSTS": ["todo.example.com"],
        "DEMO_USER_ENABLED": False,
    }


def test_production_passes_the_deployment_checklist():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", settings="config.settings.production", **PRODUCTION
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_sqlite_runs_in_wal_mode_without_an_fsync_per_commit(tmp_path, django_db_blocker):
    values = settings_values(
        ["DATABASES"], settings="config.settings.local", DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3"
    )
    connection = ConnectionHandler(values["DATABASES"])["default"]
    with django_db_blocker.unblock():  # a database of its own, not the test database
        try:
            with connection.cursor() as cursor:
                modes = [cursor.execute(f"PRAGMA {n}").fetchone()[0] for n in ("journal_mode", "synchronous")]
        finally:
            connection.close()

    assert modes == ["wal", 1]  # synchronous=NORMAL
