"""Sign-in lockout (django-axes): which username an attempt is for, wrong
second-factor codes counted like wrong passwords, and the page a locked-out
person sees (with how long to wait, also as `Retry-After`).

5 failures — wrong passwords and wrong two-factor codes together — for one
username from one address lock that pair for AXES_COOLOFF_MINUTES."""

import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from payam.audit import audit_record
from payam.middleware import client_ip
from payam.text import normalize_username

from .models import User


def lockout_username(value: str) -> str:
    """The key of a username for the lockout: the username as typed, normalized
    (`payam.text.normalize_username`) and lower-cased as allauth compares it
    (`ACCOUNT_PRESERVE_USERNAME_CASING`: `Broker.clerk` signs in as
    `broker.clerk`), so one account has one count whatever the letter case."""
    return normalize_username(value).lower()


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """The username of a login attempt (AXES_USERNAME_CALLABLE): allauth passes it as
    `username`; the login form's field is `login`."""
    value = (credentials or {}).get("username") or request.POST.get("login", "")
    return lockout_username(str(value))


def credentials_of(user: User) -> dict[str, str]:
    """What axes is told about an attempt on `user`'s account after the password."""
    return {"username": user.username}


def wait_seconds(*, username: str, ip: str | None) -> int:
    """Seconds until this username may be tried again from this address."""
    attempt = (
        AccessAttempt.objects.filter(username=lockout_username(username), ip_address=ip)
        .order_by("-attempt_time")
        .first()
    )
    if attempt is None:
        return 0
    until = attempt.attempt_time + settings.AXES_COOLOFF_TIME
    return max(0, math.ceil((until - timezone.now()).total_seconds()))


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The locked-out page (AXES_LOCKOUT_CALLABLE): 429, the minutes left, and
    `Retry-After` in seconds."""
    seconds = wait_seconds(username=axes_username(request, credentials), ip=client_ip(request))
    seconds = max(1, seconds)
    minutes = max(1, math.ceil(seconds / 60))
    context = {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT}
    response = render(request, "accounts/locked_out.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response


def is_locked_out(request: HttpRequest, user: User) -> bool:
    """Whether `user`'s account is locked on this request's address."""
    return not AxesProxyHandler.is_allowed(request, credentials_of(user))


# Longer than any code check takes; only a crashed worker leaves the key to expire.
CODE_CHECK_SLOT_SECONDS = 10


@contextmanager
def one_code_at_a_time(user: User) -> Iterator[bool]:
    """Yields whether this request may check a code for `user` now: False while
    another request of the same account is checking one (in any web process, with
    Redis as the cache). Guesses sent in parallel would otherwise all be checked
    before the first failures are counted."""
    key = f"accounts:code-check:{user.pk}"
    mine = cache.add(key, 1, timeout=CODE_CHECK_SLOT_SECONDS)
    try:
        yield mine
    finally:
        if mine:
            cache.delete(key)


def second_factor_failed(*, request: HttpRequest, user: User, reauthentication: bool) -> None:
    """A wrong two-factor code (or recovery code) for `user`: counted by axes as a
    failed login for the account on this address, and written to the audit log.
    When it reaches AXES_FAILURE_LIMIT, axes marks the request locked out and its
    middleware answers with `lockout_response`."""
    audit_record(
        actor=None,
        action="login.second_factor_failed",
        target=user,
        data={"reauthentication": reauthentication},
    )
    user_login_failed.send(sender=User, credentials=credentials_of(user), request=request)


def locked_out(*, request: HttpRequest | None, username: str) -> None:
    """Audit a lockout (axes' `user_locked_out`): the account, if there is one, and
    the address (from the request context)."""
    user = User.objects.filter(username__iexact=username).only("pk").first()
    audit_record(
        actor=None,
        action="login.locked_out",
        target=user,
        data={"username": username[:32], "failure_limit": settings.AXES_FAILURE_LIMIT},
    )
