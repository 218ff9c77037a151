"""Turn DATABASE_URL and REDIS_URL into settings, with the embedded defaults.

Kept apart from the settings module so that bad values can be explained in one line
instead of surfacing later as a driver traceback.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ

DATABASE_SCHEMES = {"postgres", "postgresql", "pgsql", "sqlite"}
BROKER_SCHEMES = {"redis", "rediss"}

REDIS_TRANSPORT_OPTIONS = {
    # A task is redelivered when unacknowledged for this long; deadlines never rely on
    # long ETAs (the sweeper is their guarantee), so one hour is ample.
    "visibility_timeout": 3600,
    # A publish finds the broker at once or not at all: its connection is tried once, not
    # again and again for broker_connection_timeout (4 s, then a 2 s pause: a submission
    # waited 6 s on a broker that was down). What could not be sent waits for its sweeper.
    # The worker's own reconnecting (broker_connection_max_retries) does not read this.
    "max_retries": 0,
}


def database_settings(url: str, var_dir: Path) -> dict:
    """Return the default database: the URL's, or SQLite under var/ when it is empty."""
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(var_dir / "db.sqlite3"),
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
            # A file, not memory, so that a real worker process can share the test data.
            "TEST": {"NAME": str(var_dir / "test-db.sqlite3")},
        }
    parts = urlsplit(url)
    if parts.scheme not in DATABASE_SCHEMES:
        raise ValueError(
            f"unsupported scheme {parts.scheme or '(none)'!r}; "
            "expected postgres://user@host:port/name or sqlite:///path"
        )
    if parts.scheme != "sqlite" and not parts.path.strip("/"):
        raise ValueError(
            "the URL names no database, e.g. postgres://postgres@127.0.0.1:5432/brokerage"
        )
    try:
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise ValueError("the port is not a number") from None
    config = environ.Env.db_url_config(url)
    if parts.scheme != "sqlite":
        config["CONN_MAX_AGE"] = 60
        config["CONN_HEALTH_CHECKS"] = True
        # Our queries are short lookups over large tables; PostgreSQL's JIT compiles such
        # plans for 0.6-2.5 s (seen in the office lists at a million requests) to save far less.
        # The directory's search counts a name as similar from a word similarity of 0.3
        # (pg_trgm's default is 0.6); its trigram indexes answer with the threshold set here.
        config.setdefault("OPTIONS", {}).setdefault(
            "options", "-c jit=off -c pg_trgm.word_similarity_threshold=0.3"
        )
    return config


def broker_settings(url: str, var_dir: Path) -> dict:
    """Return Celery's broker: Redis when a URL is given, else a folder on disk.

    The file-system transport needs no server yet is a real broker: tasks with an ETA
    are held by a separate worker process, unlike eager mode.
    """
    if not url:
        folder = var_dir / "broker"
        for sub in ("queue", "processed", "control"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        return {
            "url": "filesystem://localhost/",
            "transport_options": {
                "data_folder_in": str(folder / "queue"),
                "data_folder_out": str(folder / "queue"),
                "processed_folder": str(folder / "processed"),
                # Broadcasts (worker control) would otherwise land in ./control.
                "control_folder": str(folder / "control"),
                "store_processed": False,
            },
        }
    parts = urlsplit(url)
    if parts.scheme not in BROKER_SCHEMES:
        raise ValueError(
            f"unsupported scheme {parts.scheme or '(none)'!r}; expected redis://host:6379/0"
        )
    if not parts.hostname:
        raise ValueError("the URL names no host, e.g. redis://127.0.0.1:6379/0")
    try:
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise ValueError("the port is not a number") from None
    return {"url": url, "transport_options": REDIS_TRANSPORT_OPTIONS}


def cache_settings(redis_url: str, var_dir: Path) -> dict:
    """Return the cache shared by every process: Redis when a URL is given, else files.

    Short timeouts: a cache that does not answer must not hold a request up (the rate
    limits that use it let requests through rather than fail them).
    """
    if not redis_url:
        return {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(var_dir / "cache"),
        }
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": redis_url,
        "KEY_PREFIX": "brokerage",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
