"""django-axes hooks: which username an attempt is for, and the page a locked-out
person sees (with how long to wait)."""

import math
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from payam.middleware import client_ip
from payam.text import normalize_username


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """The username of a login attempt: allauth passes it as `username`; the login
    form's field is `login`. Persian digits count as the same username."""
    value = (credentials or {}).get("username") or request.POST.get("login", "")
    return normalize_username(str(value))


def wait_seconds(*, username: str, ip: str | None) -> int:
    """Seconds until this username may be tried again from this address."""
    attempt = (
        AccessAttempt.objects.filter(username=username, ip_address=ip)
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
    seconds = wait_seconds(username=axes_username(request, credentials), ip=client_ip(request))
    minutes = max(1, math.ceil(seconds / 60))
    context = {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT}
    return render(request, "accounts/locked_out.html", context, status=429)
