"""What a signed-in person must do before anything else: pass the second factor in
this very session when their role needs one, change a password that was generated
for them, and, for staff roles, set up two-factor sign-in. And the "last seen" of
each open session, written at most once a minute."""

import hashlib
import logging
import time
from collections.abc import Callable

from allauth.account.adapter import get_adapter
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import second_factor
from .models import User
from .roles import requires_mfa

logger = logging.getLogger("payam.accounts")

# Paths reachable while a first-login step is pending.
ALWAYS_ALLOWED = (
    "/static/",
    "/i18n/",
    "/healthz",
    "/favicon.ico",
    "/captcha/",
    "/accounts/logout/",
    "/dev/",
)

# Paths of setting up two-factor (allauth asks for the password again first).
MFA_SETUP_PATHS = ("/accounts/2fa/", "/accounts/reauthenticate/")


class AccountGuardMiddleware:
    """Every workspace of a role that needs two factors (accounts.roles.requires_mfa:
    ITO experts, broker-office staff, agency admins, every `is_staff` or superuser)
    checks that this session passed the second factor, not only that one is set up.
    A session signed in without it (any way other than the portal's login) is
    signed out and sent to the login."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if isinstance(user, User) and not request.path.startswith(ALWAYS_ALLOWED):
            step = self._pending_step(request, user)
            if step is not None:
                return step
        return self.get_response(request)

    def _pending_step(self, request: HttpRequest, user: User) -> HttpResponse | None:
        # Read the session first: a session that passed needs no query here.
        mfa_missing = requires_mfa(user) and not second_factor.passed(request, user)
        has_app = mfa_missing and (
            Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        )
        if has_app:
            return self._sign_in_again(request)
        if user.must_change_password:
            target = reverse("account_change_password")
            if request.path != target:
                messages.info(
                    request,
                    _("گذرواژه‌ی شما ساخته‌ی سامانه است؛ پیش از ادامه گذرواژه‌ی تازه‌ای بگذارید."),
                )
                return redirect(target)
            return None
        if mfa_missing and not request.path.startswith(MFA_SETUP_PATHS):
            messages.info(
                request,
                _(
                    "برای ورود به میز کار، ورود دومرحله‌ای را با یک برنامه‌ی "
                    "رمزساز (مانند Google Authenticator) فعال کنید."
                ),
            )
            return redirect("mfa_activate_totp")
        return None

    @staticmethod
    def _sign_in_again(request: HttpRequest) -> HttpResponse:
        logger.warning(
            "Session of user %s signed out: it did not pass the second factor", request.user.pk
        )
        logout(request)
        messages.warning(
            request,
            _(
                "این نشست از ورود دومرحله‌ای نگذشته بود و بسته شد؛ "
                "از صفحه‌ی ورود، با گذرواژه و کد رمزساز وارد شوید."
            ),
        )
        login = reverse("account_login")
        if request.method == "GET":
            login = f"{login}?{urlencode({'next': request.get_full_path()})}"
        return redirect(login)


class SessionActivityMiddleware:
    """allauth's session activity (the "open sessions" page: IP, browser, last
    seen), without its five statements on every request: the session's row is
    written when the IP or the browser changed, or when the last write is older
    than USERSESSIONS_ACTIVITY_SECONDS; a cache key remembers the last write and
    its time (the key's expiry only tidies up).
    A cache that is down writes every time, as allauth's own middleware does."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session_key = request.session.session_key if hasattr(request, "session") else None
        if session_key and request.user.is_authenticated:
            self._track(request, session_key)
        return self.get_response(request)

    @staticmethod
    def _track(request: HttpRequest, session_key: str) -> None:
        seen = "|".join(
            (
                str(request.user.pk),
                get_adapter().get_client_ip(request) or "",
                request.META.get("HTTP_USER_AGENT", ""),
            )
        )
        fingerprint = hashlib.sha256(seen.encode()).hexdigest()[:32]
        key = f"usersession:seen:{hashlib.sha256(session_key.encode()).hexdigest()[:32]}"
        now = time.time()
        period = settings.USERSESSIONS_ACTIVITY_SECONDS
        try:
            last = cache.get(key)
            if isinstance(last, tuple) and last[0] == fingerprint and now - last[1] < period:
                return
        except Exception:
            logger.warning("Session activity cache unavailable", exc_info=True)
        UserSession.objects.create_from_request(request)
        try:
            cache.set(key, (fingerprint, now), period)
        except Exception:
            logger.warning("Session activity cache unavailable", exc_info=True)
