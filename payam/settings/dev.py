"""`make run`: the embedded default (SQLite, Celery eager, console SMS gateway)."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")

# Serve static files straight from static/ (no collectstatic needed).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT = None
SMS_CALLBACK_SECRET = env.str("SMS_CALLBACK_SECRET", default="dev-only-sms-callback-secret")
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
# Celery runs eagerly here, a campaign's fan-out inside the request: flat out.
BULK_PAUSE_RATIO = env.float("BULK_PAUSE_RATIO", default=0.0)
# A webhook receiver on this machine (manage.py webhook_receiver) for the demo.
WEBHOOK_ALLOW_PRIVATE_URLS = env.bool("WEBHOOK_ALLOW_PRIVATE_URLS", default=True)
