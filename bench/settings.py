"""Settings for the HTTP benchmarks: the platform's, plus the bare endpoint to compare with."""

from brokerage.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
# Served over plain HTTP on loopback by gunicorn; nothing else differs from production.
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
