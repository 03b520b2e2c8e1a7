"""allauth's sign-in pages with the portal's guards: a per-address limit on login
POSTs (answered 429 with `Retry-After`), the two-factor code steps locked like
the password (accounts/lockout.py), and setting up the authenticator app counted
as passing the second factor. accounts/urls_signin.py mounts them over
allauth's own at the same paths and names."""

from typing import Any

from allauth.account.internal.stagekit import clear_login
from allauth.account.views import LoginView as AllauthLoginView
from allauth.mfa.base.views import AuthenticateView as AllauthAuthenticateView
from allauth.mfa.base.views import ReauthenticateView as AllauthReauthenticateView
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.views import ActivateTOTPView as AllauthActivateTOTPView
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase

from payam.ratelimit import client_key, hit, too_many_requests

from . import second_factor
from .lockout import credentials_of, is_locked_out, lockout_response, one_code_at_a_time
from .models import User

LOGIN_LIMIT_SCOPE = "accounts.login"


class LoginView(AllauthLoginView):
    """At most LOGIN_PER_IP_PER_MINUTE login POSTs from one client address, wrong
    or right (allauth's own per-address limit is off: it has no `Retry-After`).
    Wrong passwords for one username are counted by axes."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method == "POST":
            result = hit(
                key=client_key(request, LOGIN_LIMIT_SCOPE),
                limit=settings.LOGIN_PER_IP_PER_MINUTE,
                window_seconds=60,
            )
            if not result.allowed:
                return too_many_requests(request, retry_after=result.retry_after)
        return super().dispatch(request, *args, **kwargs)


def _guarded_code_check(
    request: HttpRequest, user: User, check: Any, *args: Any, **kwargs: Any
) -> tuple[HttpResponse, bool]:
    """Run `check` (the view's POST: validate a code) unless the account is locked
    on this address, and for one request of the account at a time, so parallel
    guesses cannot all slip in before the failures are counted. Returns the
    response and whether the account is (now) locked."""
    if is_locked_out(request, user):
        return lockout_response(request, credentials=credentials_of(user)), True
    with one_code_at_a_time(user) as mine:
        if not mine:
            # Another code of this account is being checked (a double click, or a
            # guess in parallel): nothing is counted, the sign-in stays open.
            return too_many_requests(request, retry_after=1), False
        response: HttpResponse = check(request, *args, **kwargs)
    return response, bool(getattr(request, "axes_locked_out", False))


class AuthenticateView(AllauthAuthenticateView):
    """The code step after the password. A wrong code counts as a failed login for
    the account on this address (accounts.signals → lockout.second_factor_failed);
    when the account is locked, the half-done sign-in is dropped, so the next try
    starts again from the (locked) password."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = self.stage.login.user
        if not isinstance(user, User):
            return super().post(request, *args, **kwargs)
        response, locked = _guarded_code_check(request, user, super().post, *args, **kwargs)
        if locked:
            clear_login(request)
        return response


class ReauthenticateView(AllauthReauthenticateView):
    """Confirming a code before a sensitive change: the same lock as at sign-in."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not isinstance(user, User):
            return super().post(request, *args, **kwargs)
        response, _ = _guarded_code_check(request, user, super().post, *args, **kwargs)
        return response


class ActivateTOTPView(AllauthActivateTOTPView):
    """Setting up the authenticator app: its first code also counts as passing the
    second factor in this session (accounts/second_factor.py)."""

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user = self.request.user
        app = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
        if isinstance(user, User) and app is not None:
            second_factor.record_setup(self.request, user, app)
        return response


login = LoginView.as_view()
authenticate = AuthenticateView.as_view()
reauthenticate = ReauthenticateView.as_view()
activate_totp = ActivateTOTPView.as_view()
