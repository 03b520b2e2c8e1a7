"""Reads of the accounts app."""

from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from payam.phone import normalize_mobile

from .constants import OtpPurpose
from .models import LoginEvent, OneTimeCode, User


def otp_resend_wait(*, purpose: OtpPurpose | str, mobile: str) -> int:
    """Seconds before another code for `purpose` may be sent to `mobile` (0: now)."""
    latest = (
        OneTimeCode.objects.filter(mobile=normalize_mobile(mobile), purpose=OtpPurpose(purpose))
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if latest is None:
        return 0
    ready = latest + timedelta(seconds=settings.OTP_RESEND_SECONDS)
    return max(0, int((ready - timezone.now()).total_seconds() + 0.999))


def recent_logins(*, user: User, limit: int = 20) -> QuerySet[LoginEvent]:
    return LoginEvent.objects.filter(user=user).order_by("-at")[:limit]
