"""Reactions to sign-in events, connected in AccountsConfig.ready()."""

from typing import Any

from allauth.account.internal.flows.login import record_authentication
from allauth.account.signals import password_changed
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authentication_failed
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from payam.middleware import client_ip

from . import lockout
from .models import LoginEvent, LoginMethod, User
from .selectors import mfa_setup_pending
from .services import password_changed_by_owner


@receiver(user_logged_in, dispatch_uid="accounts.record_login")
def record_login(sender: type, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is None:
        return
    LoginEvent.objects.create(
        user=user,
        ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        method=getattr(request, "payam_login_method", LoginMethod.PASSWORD),
    )


@receiver(user_logged_in, dispatch_uid="accounts.fresh_password_for_mfa_setup")
def count_login_password_as_fresh(
    sender: type, request: HttpRequest | None, user: User, **kwargs: Any
) -> None:
    """Staff who must set up two-factor go straight to it after login; allauth
    would ask for the password they have just typed once more."""
    if request is None or getattr(request, "payam_login_method", None) == LoginMethod.SSO:
        return
    if mfa_setup_pending(user):
        # allauth's reauthenticate_by_password, for the user just signed in (the
        # request may not carry it yet).
        record_authentication(request, user, method="password", reauthenticated=True)


@receiver(password_changed, dispatch_uid="accounts.password_changed")
def after_password_change(sender: type, request: HttpRequest, user: User, **kwargs: Any) -> None:
    password_changed_by_owner(actor=user)


@receiver(authentication_failed, dispatch_uid="accounts.second_factor_failed")
def count_wrong_second_factor(
    sender: type,
    request: HttpRequest | None,
    user: User,
    authenticator: Authenticator,
    reauthentication: bool = False,
    **kwargs: Any,
) -> None:
    """A wrong two-factor or recovery code counts as a failed login (axes)."""
    if request is not None:
        lockout.second_factor_failed(
            request=request, user=user, reauthentication=bool(reauthentication)
        )


@receiver(user_locked_out, dispatch_uid="accounts.locked_out")
def audit_lockout(
    sender: object, request: HttpRequest | None, username: str, **kwargs: Any
) -> None:
    """Audit the failure that locked an account on an address (not every refused
    try while it stays locked: axes sends this signal for those too)."""
    failures = getattr(request, "axes_failures_since_start", None)
    if failures == settings.AXES_FAILURE_LIMIT:
        lockout.locked_out(request=request, username=username)
