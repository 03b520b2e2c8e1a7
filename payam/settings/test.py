"""pytest: SQLite in memory unless DATABASE_URL is set; Celery always eager."""

import os
import warnings
from typing import cast
from urllib.parse import urlsplit, urlunsplit

from .base import *  # noqa: F403
from .base import CACHES, DATABASES, REDIS_URL, env

DEBUG = False
SECRET_KEY = "test-only-key-that-is-long-enough-to-be-realistic-0123456789"  # noqa: S105
# PostgreSQL with a flush that deletes rather than truncates (payam/testing/postgresql).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "payam.testing.postgresql"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; never in prod
# Worker processes started by the end-to-end tests turn these off through the environment.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
BULK_PAUSE_RATIO = 0.0  # bulk work flat out: the tests time nothing (bench/ does)
API_FEED_SETTLE_SECONDS = 0  # a letter is in the API's feeds at once (one test sets it)
SMS_GATEWAY = env.str("SMS_GATEWAY", default="console")
INQUIRY_BACKEND = "fake"
REQUIRE_SERVICES = env.bool("REQUIRE_SERVICES", default=False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Serve static files straight from static/ (no collectstatic needed).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT = None
SMS_CALLBACK_SECRET = "test-sms-callback-secret"  # noqa: S105
SMS_RATE_LIMIT_PER_SECOND = env.float("SMS_RATE_LIMIT_PER_SECOND", default=0.0)
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests run webhook receivers on 127.0.0.1; the SSRF tests turn this off.
WEBHOOK_ALLOW_PRIVATE_URLS = True
CAPTCHA_TEST_MODE = True  # the answer "PASSED" is accepted
warnings.filterwarnings("ignore", message="CAPTCHA_TEST_MODE is enabled", category=RuntimeWarning)
cast(dict[str, object], LOGGING["loggers"])["captcha.conf.settings"] = {"level": "CRITICAL"}  # noqa: F405


# --- pytest-xdist ----------------------------------------------------------------------
# `pytest -n N` runs the suite in N worker processes, gw0, gw1, … Each has a PostgreSQL
# database of its own (pytest-django's test_<name>_gw<i>) and here a Redis database of its
# own, REDIS_URL's number plus i, counted round Redis's 16 (0 to 15): every test clears
# the cache, and the tests with real Celery workers flush their broker's database. A
# process a test starts is given the worker's REDIS_URL itself, without
# PYTEST_XDIST_WORKER. (A worker that crashed comes back as gw<N> or later: its database
# is counted the same way, never an error.)
REDIS_DATABASES = 16


def redis_url_for_worker(url: str, worker: str) -> str:
    parts = urlsplit(url)
    first = int(parts.path.strip("/") or 0)
    number = (first + int(worker.removeprefix("gw"))) % REDIS_DATABASES
    return urlunsplit(parts._replace(path=f"/{number}"))


if REDIS_URL and (_worker := os.environ.get("PYTEST_XDIST_WORKER")):
    REDIS_URL = redis_url_for_worker(REDIS_URL, _worker)
    CACHES["default"]["LOCATION"] = REDIS_URL
    if not os.environ.get("CELERY_BROKER_URL"):
        CELERY_BROKER_URL = REDIS_URL
