"""Production (docker-compose): PostgreSQL, Redis, gunicorn behind a TLS proxy.

Passes `python manage.py check --deploy --fail-level WARNING`."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY", default="")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set to at least 50 random characters.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
SMS_CALLBACK_SECRET = env.str("SMS_CALLBACK_SECRET", default="")
if len(SMS_CALLBACK_SECRET) < 32:
    raise ImproperlyConfigured("SMS_CALLBACK_SECRET must be set to at least 32 random characters.")
LETTER_VERIFY_KEY = env.str("LETTER_VERIFY_KEY", default="")
if len(LETTER_VERIFY_KEY) < 32:
    raise ImproperlyConfigured("LETTER_VERIFY_KEY must be set to at least 32 random characters.")
# allauth trusts an ID token it fetched itself over TLS without checking its signature.
if SSO_SERVER_URL and not SSO_SERVER_URL.startswith("https://"):  # noqa: F405
    raise ImproperlyConfigured("SSO_SERVER_URL must be an https:// address.")

# Webhook addresses reach only public https hosts (agencies/webhook_url.py): never relaxed here.
if env.bool("WEBHOOK_ALLOW_PRIVATE_URLS", default=False):
    raise ImproperlyConfigured("WEBHOOK_ALLOW_PRIVATE_URLS must not be true in production.")
WEBHOOK_ALLOW_PRIVATE_URLS = False

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LOG_FORMAT = env.str("LOG_FORMAT", default="json")
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT  # type: ignore[index]  # noqa: F405
CONN_MAX_AGE = 60
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
