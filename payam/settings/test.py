"""pytest: SQLite in memory unless DATABASE_URL is set; Celery always eager."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-key-that-is-long-enough-to-be-realistic-0123456789"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; never in prod
CELERY_TASK_ALWAYS_EAGER = True
SMS_GATEWAY = "console"
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
