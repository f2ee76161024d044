"""Data stores from the environment: the database (with its connection policy), the channel layer and the cache.

- SQLite (the default): one connection kept per thread (CONN_MAX_AGE, default 600 s). Under daphne every ORM hop
  runs through channels' database_sync_to_async, which calls close_old_connections() before and after: with
  CONN_MAX_AGE=0 each hop would open a new SQLite connection and re-run its PRAGMAs. The threads are asgiref's
  bounded executors, so the kept connections are bounded too.
- PostgreSQL: psycopg's connection pool (Django 5.1+ OPTIONS["pool"]), sized by DJANGO_DB_POOL_MIN/MAX per process,
  waiting up to DJANGO_DB_POOL_TIMEOUT seconds for a free connection instead of opening more. Django requires
  CONN_MAX_AGE=0 with a pool: connections go back to the pool after each hop, none is pinned to a thread.
  DJANGO_DB_POOL_MAX=0 turns the pool off (then DJANGO_CONN_MAX_AGE applies as before).
- Redis (REDIS_URL): the channel layer and the cache each use a *blocking* connection pool of at most
  REDIS_POOL_MAX connections per process (the cache's shared by every thread and context: core.cache): a mass
  disconnect (thousands of group_discard at once) waits for a connection (up to REDIS_POOL_TIMEOUT seconds) instead
  of opening thousands or failing with "Too many connections".
"""

from redis import __version__ as _redis_version
from redis.driver_info import DriverInfo

from .env import BASE_DIR, env

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
_ENGINE = DATABASES["default"]["ENGINE"]
if _ENGINE == "django.db.backends.sqlite3":
    # daphne writes from several threads (pages, turns, the panel): WAL lets reads go on during a write, and
    # IMMEDIATE transactions plus a longer busy timeout queue writers instead of failing with "database is locked".
    # synchronous=NORMAL, SQLite's advice for WAL: no fsync per commit (~160 µs here, 5 commits a turn, all in the
    # one thread that runs every turn's hops); still never corrupt, but a power cut may lose the last commits.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=600)
elif _ENGINE == "django.db.backends.postgresql" and env.int("DJANGO_DB_POOL_MAX", default=10) > 0:
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DJANGO_DB_POOL_MIN", default=2),
        "max_size": env.int("DJANGO_DB_POOL_MAX", default=10),
        "timeout": env.float("DJANGO_DB_POOL_TIMEOUT", default=10.0),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0)
DB_POOLED = "pool" in DATABASES["default"].get("OPTIONS", {})

REDIS_URL = env("REDIS_URL", default="")
# Messages queued per channel (a socket) before the layer drops new ones (channels' default: 100). A live turn sends
# each tab showing it a frame per ~40 ms and per tool event (chat.web.streams), interleaved with panel news; a tab
# that falls behind anyway resyncs from the turn's snapshot.
CHANNEL_CAPACITY = 1000
REDIS_POOL_MAX = env.int("REDIS_POOL_MAX", default=50)
REDIS_POOL_TIMEOUT = env.float("REDIS_POOL_TIMEOUT", default=20.0)
# redis-py 8 reads every reply with a 5 s socket timeout by default, the same as channels-redis' blocking receive
# (BZPOPMIN, 5 s): a busy event loop (a mass disconnect) then times the receive out and crashes the consumer before
# it leaves its groups. The layer's reads get a longer one.
REDIS_LAYER_SOCKET_TIMEOUT = env.float("REDIS_LAYER_SOCKET_TIMEOUT", default=30.0)
# What redis-py tells the server on connect (CLIENT SETINFO), given once: left to itself, it looks its own version up
# in the installed packages' metadata for every connection it makes (~0.35 ms, ~97% of making one), and a burst of
# turns grows the pools by dozens of connections at once.
REDIS_DRIVER_INFO = DriverInfo(name="redis-py", lib_version=_redis_version)
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "core.channel_layer.BlockingPoolRedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "max_connections": REDIS_POOL_MAX,
                        "timeout": REDIS_POOL_TIMEOUT,
                        "socket_timeout": REDIS_LAYER_SOCKET_TIMEOUT,
                        "driver_info": REDIS_DRIVER_INFO,
                    }
                ],
                "capacity": CHANNEL_CAPACITY,
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "core.cache.SharedClientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "pool_class": "redis.BlockingConnectionPool",
                "max_connections": REDIS_POOL_MAX,
                "timeout": REDIS_POOL_TIMEOUT,
                "driver_info": REDIS_DRIVER_INFO,
            },
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "core.channel_layer.InMemoryChannelLayer",  # its cleanup at most once a second
            "CONFIG": {"capacity": CHANNEL_CAPACITY},
        }
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
