"""Settings shared by every environment, read from the environment with django-environ."""

import re
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    "allauth.usersessions",
    "axes",
    "captcha",
    # django-ninja: the API docs page and its swagger-ui, served from static (no CDN).
    "ninja",
    "payam",
    "sms",
    "accounts",
    "mailbox",
    "agencies",
    "brokers",
    "servicedesk",
    "gateway_requests",
]

MIDDLEWARE = [
    "payam.middleware.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "payam.middleware.PermissionsPolicyMiddleware",
    # Before anything reads the body; after the middleware whose headers (CSP, frame,
    # permissions) and user (the page's header) its 413 page takes.
    "payam.middleware.RequestBodyLimitMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.SessionActivityMiddleware",
    "accounts.middleware.AccountGuardMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "payam.urls"
WSGI_APPLICATION = "payam.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.portal",
                "mailbox.context_processors.inbox",
            ],
            "builtins": ["payam.templatetags.payam_format"],
        },
    },
]

# Widgets render through the template engine above, so templates/ can restyle them
# (the captcha widget).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Data -------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "payam.cache.SharedClientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "payam",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- The client's address (payam.middleware.client_ip) ------------------------------
# One rule for every limit, lockout, audit row and log line, and for allauth and axes.
# TRUSTED_PROXY_COUNT: how many reverse proxies of ours append to X-Forwarded-For in
# front of gunicorn (docker-compose: 1, its nginx). 0: the connection's own address.
# CLIENT_IP_HEADER instead: a header the nearest proxy overwrites with the client's
# address (e.g. X-Real-IP). Without either, X-Forwarded-For is never read.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
CLIENT_IP_HEADER = env.str("CLIENT_IP_HEADER", default="")
if not 0 <= TRUSTED_PROXY_COUNT <= 5:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be between 0 and 5.")
if CLIENT_IP_HEADER and not re.fullmatch(r"[A-Za-z][A-Za-z0-9-]{0,63}", CLIENT_IP_HEADER):
    raise ImproperlyConfigured("CLIENT_IP_HEADER must be a header name such as X-Real-IP.")
if CLIENT_IP_HEADER and TRUSTED_PROXY_COUNT:
    raise ImproperlyConfigured("Set TRUSTED_PROXY_COUNT or CLIENT_IP_HEADER, not both.")

# --- Accounts ---------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"  # allauth asks accounts.landing (inbox, workspace) instead
LOGOUT_REDIRECT_URL = "home"
# Axes first: it refuses a locked-out username+IP before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Django's validators, in the portal's formal Persian (accounts/passwords.py).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.passwords.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "accounts.passwords.CommonPasswordValidator"},
    {"NAME": "accounts.passwords.NumericPasswordValidator"},
    {"NAME": "accounts.passwords.PersonalNumbersValidator"},
]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 8
# Read from the cache, kept in the database (payam.sessions): no query for the
# session on most requests, and the database's answer at most this long after a
# session ended while the cache was unreachable.
SESSION_ENGINE = "payam.sessions"
SESSION_CACHE_SECONDS = env.int("SESSION_CACHE_SECONDS", default=60)

# django-allauth: username login only; accounts are created by our own registration
# (civil registry + Shahkar + OTP), never by allauth's sign-up or by single sign-on.
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.sso.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_FORMS = {
    "login": "accounts.forms.LoginForm",
    # allauth's own pages, in the portal's formal Persian (accounts/forms_allauth.py).
    "change_password": "accounts.forms_allauth.ChangePasswordForm",
    "set_password": "accounts.forms_allauth.SetPasswordForm",
    "reauthenticate": "accounts.forms_allauth.ReauthenticateForm",
}
# django-axes owns the lockout (wrong passwords and wrong two-factor codes alike, per
# username and address); accounts.views_signin owns the per-address limit on login
# POSTs, which answers with Retry-After. allauth's own two would count the same
# tries a second time, without saying how long to wait.
ACCOUNT_RATE_LIMITS = {"login": False, "login_failed": False}
LOGIN_PER_IP_PER_MINUTE = env.int("LOGIN_PER_IP_PER_MINUTE", default=30)
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_STORE_TOKENS = False
MFA_ADAPTER = "accounts.adapters.MFAAdapter"
MFA_FORMS = {
    "authenticate": "accounts.forms_allauth.AuthenticateForm",
    "reauthenticate": "accounts.forms_allauth.MFAReauthenticateForm",
    "activate_totp": "accounts.forms_allauth.ActivateTOTPForm",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Payam"
MFA_RECOVERY_CODE_COUNT = 10
# Activity is tracked by accounts.middleware.SessionActivityMiddleware, which
# writes a session's "last seen" at most once a minute (allauth's own middleware
# would write on every request; its TRACK_ACTIVITY stays off so it never does).
USERSESSIONS_TRACK_ACTIVITY = False
USERSESSIONS_ACTIVITY_SECONDS = 60

# Single sign-on with the national smart-government gateway (OpenID Connect). Off
# unless SSO_SERVER_URL is set; an SSO login binds to the account with the same
# national code and never creates one.
SSO_SERVER_URL = env.str("SSO_SERVER_URL", default="")
SSO_CLIENT_ID = env.str("SSO_CLIENT_ID", default="")
SSO_CLIENT_SECRET = env.str("SSO_CLIENT_SECRET", default="")
SSO_NATIONAL_CODE_CLAIM = env.str("SSO_NATIONAL_CODE_CLAIM", default="national_code")
SOCIALACCOUNT_PROVIDERS: dict[str, dict[str, object]] = {
    "openid_connect": {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": (
            [
                {
                    "provider_id": "sso",
                    "name": "درگاه ملی خدمات دولت هوشمند",
                    "client_id": SSO_CLIENT_ID,
                    "secret": SSO_CLIENT_SECRET,
                    "settings": {"server_url": SSO_SERVER_URL, "fetch_userinfo": True},
                }
            ]
            if SSO_SERVER_URL
            else []
        ),
    }
}

# django-axes: 5 failures (wrong passwords and wrong two-factor codes) per
# username+IP lock that pair for 15 minutes. Usernames are counted lower-cased, as
# allauth matches them (accounts.lockout.lockout_username).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_MINUTES = env.int("AXES_COOLOFF_MINUTES", default=15)
AXES_COOLOFF_TIME = timedelta(minutes=AXES_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "payam.middleware.client_ip"
AXES_USERNAME_CALLABLE = "accounts.lockout.axes_username"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_VERBOSE = False

# django-simple-captcha: five digits, read in Persian or Latin digits.
CAPTCHA_CHALLENGE_FUNCT = "payam.captcha.digits_challenge"
CAPTCHA_LENGTH = 5
CAPTCHA_TIMEOUT = 5  # minutes
CAPTCHA_IMAGE_SIZE = (150, 50)
CAPTCHA_FONT_SIZE = 36
CAPTCHA_NOISE_FUNCTIONS = ("captcha.helpers.noise_arcs", "captcha.helpers.noise_dots")
CAPTCHA_TEST_MODE = False
# The captcha's digits spoken (payam.views.captcha_audio): files per client address a
# minute, whichever challenges; a person listens once or twice per code.
CAPTCHA_AUDIO_PER_IP_PER_MINUTE = env.int("CAPTCHA_AUDIO_PER_IP_PER_MINUTE", default=10)

# Profile: e-mail verification links.
EMAIL_VERIFY_MAX_AGE = env.int("EMAIL_VERIFY_MAX_AGE", default=60 * 60 * 24)  # seconds
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Payam <no-reply@payam.ir>")
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)  # seconds: a hung server fails the attempt

# --- Language and time --------------------------------------------------------
LANGUAGE_CODE = "fa"
LANGUAGES = [("fa", _("فارسی")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Tehran"  # what people see; the database stores UTC (USE_TZ)

# --- The public pages (payam/views_pages.py) -----------------------------------------
# How people reach the portal's own support team, shown on /contact/ and /support/
# when set: a mailbox, a telephone number (as people dial it) and a postal address.
SUPPORT_EMAIL = env.str("SUPPORT_EMAIL", default="")
SUPPORT_PHONE = env.str("SUPPORT_PHONE", default="")
SUPPORT_ADDRESS = env.str("SUPPORT_ADDRESS", default="")

# --- Static files -------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT: Path | None = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

# --- Security headers -----------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the meta tag, not the cookie
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

# Strict Content-Security-Policy: nothing but this site, no inline scripts or styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

# --- Celery -----------------------------------------------------------------------
# Queues are named once, in payam/celery.py; without REDIS_URL tasks run eagerly.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "UTC"

# --- Integrations ---------------------------------------------------------------------
SMS_GATEWAY = env.str("SMS_GATEWAY", default="console")
INQUIRY_BACKEND = env.str("INQUIRY_BACKEND", default="fake")
INQUIRY_FAKE_FIXTURE = env.path(
    "INQUIRY_FAKE_FIXTURE", default=BASE_DIR / "payam" / "inquiry" / "demo_identities.json"
)
INQUIRY_HTTP_BASE_URL = env.str("INQUIRY_HTTP_BASE_URL", default="")
INQUIRY_HTTP_API_KEY = env.str("INQUIRY_HTTP_API_KEY", default="")
INQUIRY_HTTP_CONNECT_TIMEOUT = env.float("INQUIRY_HTTP_CONNECT_TIMEOUT", default=3.0)
INQUIRY_HTTP_READ_TIMEOUT = env.float("INQUIRY_HTTP_READ_TIMEOUT", default=10.0)
INQUIRY_HTTP_RETRIES = env.int("INQUIRY_HTTP_RETRIES", default=2)

# --- Logging --------------------------------------------------------------------------
LOG_FORMAT = env.str("LOG_FORMAT", default="text")  # "json" in production
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "payam.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "payam.request": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # WeasyPrint's steps and fontTools' font work, a dozen lines for every letter's PDF.
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- SMS (sms app) ----------------------------------------------------------------------
SMS_HTTP_BASE_URL = env.str("SMS_HTTP_BASE_URL", default="")
SMS_HTTP_API_KEY = env.str("SMS_HTTP_API_KEY", default="")
SMS_HTTP_CONNECT_TIMEOUT = env.float("SMS_HTTP_CONNECT_TIMEOUT", default=3.0)
SMS_HTTP_READ_TIMEOUT = env.float("SMS_HTTP_READ_TIMEOUT", default=10.0)
SMS_CALLBACK_SECRET = env.str("SMS_CALLBACK_SECRET", default="")
SMS_CALLBACK_MAX_AGE = env.int("SMS_CALLBACK_MAX_AGE", default=300)  # seconds
SMS_RATE_LIMIT_PER_SECOND = env.float("SMS_RATE_LIMIT_PER_SECOND", default=50.0)
SMS_RATE_OTP_RESERVE = env.float("SMS_RATE_OTP_RESERVE", default=0.2)  # share kept for OTPs
SMS_MAX_ATTEMPTS = env.int("SMS_MAX_ATTEMPTS", default=6)
SMS_RETRY_BASE_SECONDS = env.float("SMS_RETRY_BASE_SECONDS", default=5.0)
SMS_RETRY_MAX_SECONDS = env.float("SMS_RETRY_MAX_SECONDS", default=900.0)
SMS_SENDING_TIMEOUT = env.int(
    "SMS_SENDING_TIMEOUT", default=120
)  # seconds before the sweeper looks
SMS_CLAIM_BATCH = env.int("SMS_CLAIM_BATCH", default=100)
SMS_PUBLIC_CHECK_PER_MINUTE = env.int("SMS_PUBLIC_CHECK_PER_MINUTE", default=20)

# --- One-time codes (accounts app) ---------------------------------------------------------
OTP_TTL_SECONDS = env.int("OTP_TTL_SECONDS", default=120)
OTP_RESEND_SECONDS = env.int("OTP_RESEND_SECONDS", default=60)
OTP_MAX_PER_MOBILE_PER_HOUR = env.int("OTP_MAX_PER_MOBILE_PER_HOUR", default=5)
OTP_MAX_PER_IP_PER_HOUR = env.int("OTP_MAX_PER_IP_PER_HOUR", default=20)
OTP_MAX_WRONG_ATTEMPTS = env.int("OTP_MAX_WRONG_ATTEMPTS", default=5)

# --- Looking a person up (accounts app) ------------------------------------------------------
# Registration asks the registries about a national code (or a company ID): an oracle
# of birth dates and CEOs, so tries are counted before any inquiry, per target and per
# address (docs/accounts.md).
REGISTRATION_MAX_PER_TARGET_PER_DAY = env.int("REGISTRATION_MAX_PER_TARGET_PER_DAY", default=5)
REGISTRATION_MAX_PER_IP_PER_HOUR = env.int("REGISTRATION_MAX_PER_IP_PER_HOUR", default=20)

# --- Letters (mailbox app) -------------------------------------------------------------------
# Keys the 8-character verification code printed on every letter (HMAC-SHA256 of its
# tracking code and content hash). Production: required, 32+ characters.
LETTER_VERIFY_KEY = env.str("LETTER_VERIFY_KEY", default="dev-only-letter-verify-key")
# Up to this many recipients a letter is delivered in the sender's transaction;
# beyond it, a Celery task on the `bulk` queue delivers it in chunks.
LETTER_INLINE_RECIPIENTS = env.int("LETTER_INLINE_RECIPIENTS", default=2000)
LETTER_FANOUT_CHUNK = env.int("LETTER_FANOUT_CHUNK", default=20000)
# After each chunk of a fan-out or of a campaign's notices, rest this many times as
# long as the chunk took (mailbox.services.pacing): the pages keep the cores.
BULK_PAUSE_RATIO = env.float("BULK_PAUSE_RATIO", default=3.0)
LETTER_ATTACHMENT_MAX_BYTES = env.int("LETTER_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
LETTER_MAX_ATTACHMENTS = env.int("LETTER_MAX_ATTACHMENTS", default=10)
# An image attachment's width × height at most: 50 MP holds an A4 page scanned at
# 600 dpi (35 MP) and a 48 MP phone photo; a 30000 × 30000 "bomb" is 900 MP.
LETTER_IMAGE_MAX_PIXELS = env.int("LETTER_IMAGE_MAX_PIXELS", default=50_000_000)
# An agency's send to more than this many recipients waits for a second member (four eyes).
CAMPAIGN_APPROVAL_THRESHOLD = env.int("CAMPAIGN_APPROVAL_THRESHOLD", default=1000)

# --- Campaigns (agencies app) ----------------------------------------------------------------
# A campaign's CSV of recipients (agencies.campaign_csv): at most this many bytes (a
# larger upload is refused with a message before it is decoded; the request itself is
# bounded by REQUEST_BODY_MAX_BYTES below, and a file past FILE_UPLOAD_MAX_MEMORY_SIZE
# waits in a temporary file) and this many rows of recipients.
CAMPAIGN_CSV_MAX_BYTES = env.int("CAMPAIGN_CSV_MAX_BYTES", default=10 * 1024 * 1024)
CAMPAIGN_MAX_ROWS = env.int("CAMPAIGN_MAX_ROWS", default=100_000)

# --- Webhooks (agencies app) -----------------------------------------------------------------
# An agency's webhook address must be https and reach only public addresses (checked at
# registration, before each POST and on connect: agencies/webhook_url.py). True only in
# development and tests, so a receiver on http://127.0.0.1 can be used; production refuses it.
WEBHOOK_ALLOW_PRIVATE_URLS = env.bool("WEBHOOK_ALLOW_PRIVATE_URLS", default=False)

# --- Request bodies ---------------------------------------------------------------------------
# The largest request body taken: a letter's most attachments at their largest, and
# 1 MiB for its text and the form's framing (10 × 10 MiB + 1 MiB = 101 MiB). A longer
# declared Content-Length is answered 413 before a byte of the body is read
# (payam.middleware.RequestBodyLimitMiddleware); the reverse proxy's
# client_max_body_size must say the same (101m).
REQUEST_BODY_MAX_BYTES = env.int(
    "REQUEST_BODY_MAX_BYTES",
    default=LETTER_MAX_ATTACHMENTS * LETTER_ATTACHMENT_MAX_BYTES + 1024 * 1024,
)
# Django's own limits, stated: form fields other than files at most 2.5 MB (more is
# answered 413 too, see payam.views.bad_request); an uploaded file past 2.5 MB is
# written to a temporary file while the request lasts instead of held in memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
LETTER_VERIFY_PER_MINUTE = env.int("LETTER_VERIFY_PER_MINUTE", default=20)  # /verify/ per IP
LETTER_STUCK_SECONDS = env.int("LETTER_STUCK_SECONDS", default=300)  # before the sweeper re-rings
# The header's unread count is cached this long at most (new letters and reads drop it).
INBOX_UNREAD_CACHE_SECONDS = env.int("INBOX_UNREAD_CACHE_SECONDS", default=300)
# A rendered inbox list is kept this long at most (mailbox.fragments; any change drops it).
INBOX_PAGE_CACHE_SECONDS = env.int("INBOX_PAGE_CACHE_SECONDS", default=600)

# --- The agencies' REST API (agencies/api.py, /api/v1/) -------------------------------------
# Requests a minute each API key may make, unless its agency has its own figure.
API_REQUESTS_PER_MINUTE = env.int("API_REQUESTS_PER_MINUTE", default=3000)
# The replies and incoming feeds (`GET /api/v1/replies`, `/incoming`) list a letter only
# once it arrived this many seconds ago: a transaction that was still committing when a
# client read a page cannot then land behind that client's cursor.
API_FEED_SETTLE_SECONDS = env.int("API_FEED_SETTLE_SECONDS", default=5)
