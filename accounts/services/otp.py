"""One-time codes: made and checked here, sent through sms."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from payam import ratelimit
from payam.phone import normalize_mobile
from payam.text import normalize_digits
from sms.constants import SYSTEM_SENDER, SmsKind
from sms.services import sms_queue

from ..constants import (
    OTP_LENGTH,
    OtpPurpose,
)
from ..exceptions import (
    OtpExpired,
    OtpInvalid,
    OtpLimitReached,
    OtpTooManyAttempts,
    OtpTooSoon,
)
from ..models import OneTimeCode

# --- one-time codes -------------------------------------------------------------------------


@dataclass(frozen=True)
class OtpChallenge:
    mobile: str
    expires_at: datetime
    resend_at: datetime


def _code_hash(*, purpose: str, mobile: str, code: str) -> str:
    message = f"{purpose}:{mobile}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _otp_body(code: str, purpose: str) -> str:
    return _(
        "پیام ایران\nکد %(purpose)s شما: %(code)s\nاین کد را به هیچ‌کس، حتی کارمندان دولت، ندهید."
    ) % {"purpose": OtpPurpose(purpose).label, "code": code}


def otp_send(*, purpose: OtpPurpose | str, mobile: str, ip: str | None) -> OtpChallenge:
    """Send a fresh code to `mobile` from the portal's own 4040, replacing any
    earlier unused code for the same purpose. Limits: one code per
    OTP_RESEND_SECONDS, OTP_MAX_PER_MOBILE_PER_HOUR per mobile and
    OTP_MAX_PER_IP_PER_HOUR per IP address."""
    purpose = OtpPurpose(purpose)
    mobile = normalize_mobile(mobile)
    now = timezone.now()
    with transaction.atomic():
        recent = OneTimeCode.objects.select_for_update().filter(
            mobile=mobile, created_at__gte=now - timedelta(hours=1)
        )
        latest = recent.filter(purpose=purpose).order_by("-created_at").first()
        if latest is not None:
            resend_at = latest.created_at + timedelta(seconds=settings.OTP_RESEND_SECONDS)
            if resend_at > now:
                raise OtpTooSoon(int((resend_at - now).total_seconds()) + 1)
        hour = list(recent.order_by("created_at").values_list("created_at", flat=True))
        if len(hour) >= settings.OTP_MAX_PER_MOBILE_PER_HOUR:
            oldest = hour[-settings.OTP_MAX_PER_MOBILE_PER_HOUR]
            raise OtpLimitReached(int((oldest + timedelta(hours=1) - now).total_seconds()) + 1)
        if ip:
            verdict = ratelimit.hit(
                key=f"otp:ip:{ip}", limit=settings.OTP_MAX_PER_IP_PER_HOUR, window_seconds=3600
            )
            if not verdict.allowed:
                raise OtpLimitReached(verdict.retry_after)
        OneTimeCode.objects.filter(mobile=mobile, purpose=purpose, used_at__isnull=True).update(
            superseded=True
        )
        code = f"{secrets.randbelow(10**OTP_LENGTH):0{OTP_LENGTH}d}"
        otp = OneTimeCode.objects.create(
            purpose=purpose,
            mobile=mobile,
            code_hash=_code_hash(purpose=purpose, mobile=mobile, code=code),
            created_at=now,
            expires_at=now + timedelta(seconds=settings.OTP_TTL_SECONDS),
            requested_ip=ip,
        )
        sms_queue(
            sender=SYSTEM_SENDER,
            to=mobile,
            body=_otp_body(code, purpose),
            kind=SmsKind.OTP,
            idempotency_key=f"otp:{otp.pk}",
        )
    return OtpChallenge(
        mobile=mobile,
        expires_at=otp.expires_at,
        resend_at=now + timedelta(seconds=settings.OTP_RESEND_SECONDS),
    )


def otp_verify(*, purpose: OtpPurpose | str, mobile: str, code: str) -> None:
    """Accept the latest code sent to `mobile` for `purpose`, once. Raises
    OtpInvalid, OtpExpired or OtpTooManyAttempts; a wrong code is counted even
    though the error is raised."""
    purpose = OtpPurpose(purpose)
    mobile = normalize_mobile(mobile)
    code = normalize_digits(code)
    now = timezone.now()
    wrong = False
    with transaction.atomic():
        otp = (
            OneTimeCode.objects.select_for_update()
            .filter(mobile=mobile, purpose=purpose, used_at__isnull=True, superseded=False)
            .order_by("-created_at")
            .first()
        )
        if otp is None:
            raise OtpInvalid
        if otp.failed_attempts >= settings.OTP_MAX_WRONG_ATTEMPTS:
            raise OtpTooManyAttempts
        if otp.expires_at <= now:
            raise OtpExpired
        expected = _code_hash(purpose=purpose, mobile=mobile, code=code)
        if len(code) == OTP_LENGTH and hmac.compare_digest(expected, otp.code_hash):
            otp.used_at = now
            otp.save(update_fields=["used_at"])
        else:
            otp.failed_attempts += 1
            otp.save(update_fields=["failed_attempts"])
            wrong = True
    if wrong:  # raised after the commit, so the wrong try stays counted
        if otp.failed_attempts >= settings.OTP_MAX_WRONG_ATTEMPTS:
            raise OtpTooManyAttempts
        raise OtpInvalid
