"""What a signed-in person must do before anything else: change a password that
was generated for them, and, for staff roles, set up two-factor sign-in."""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import User
from .selectors import mfa_setup_pending

# Paths reachable while a first-login step is pending.
ALWAYS_ALLOWED = ("/static/", "/i18n/", "/healthz", "/captcha/", "/accounts/logout/", "/dev/")

# Paths of setting up two-factor (allauth asks for the password again first).
MFA_SETUP_PATHS = ("/accounts/2fa/", "/accounts/reauthenticate/")


class AccountGuardMiddleware:
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
        if user.must_change_password:
            target = reverse("account_change_password")
            if request.path != target:
                messages.info(
                    request,
                    _("گذرواژه‌ی شما ساخته‌ی سامانه است؛ پیش از ادامه گذرواژه‌ی تازه‌ای بگذارید."),
                )
                return redirect(target)
            return None
        if not request.path.startswith(MFA_SETUP_PATHS) and mfa_setup_pending(user):
            messages.info(
                request,
                _(
                    "برای ورود به میز کار، ورود دومرحله‌ای را با یک برنامه‌ی "
                    "رمزساز (مانند Google Authenticator) فعال کنید."
                ),
            )
            return redirect("mfa_activate_totp")
        return None
