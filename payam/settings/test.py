"""pytest: SQLite in memory unless DATABASE_URL is set; Celery always eager."""

import warnings
from typing import cast

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-key-that-is-long-enough-to-be-realistic-0123456789"  # noqa: S105
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
