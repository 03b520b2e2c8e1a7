"""Passwords and their recovery by SMS."""

from dataclasses import asdict, dataclass, replace
from datetime import datetime

from allauth.usersessions.models import UserSession
from axes.utils import reset as axes_reset
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from payam import ratelimit
from payam.audit import audit_record
from payam.phone import normalize_mobile
from payam.text import normalize_username
from sms.constants import SYSTEM_SENDER, SmsKind
from sms.services import sms_queue

from ..constants import (
    OtpPurpose,
)
from ..exceptions import (
    OtpInvalid,
    OtpLimitReached,
    OtpTooManyAttempts,
    RecoveryExpired,
)
from ..models import User
from ..selectors import (
    profile_of,
)
from .otp import otp_send, otp_verify
from .registration import REGISTRATION_TTL

# --- passwords and recovery -------------------------------------------------------------------


def password_changed_by_owner(*, actor: User) -> None:
    """The owner chose a new password (allauth's change-password page): a
    generated first password no longer needs changing."""
    with transaction.atomic():
        if actor.must_change_password:
            User.objects.filter(pk=actor.pk).update(must_change_password=False)
            actor.must_change_password = False
        audit_record(actor=actor, action="account.password_change", target=actor)


def recovery_mobile(user: User) -> str | None:
    """The verified mobile a recovery code may go to: the person's profile mobile.
    Staff accounts have none; their administrator sets a new password."""
    profile = profile_of(user)
    return profile.mobile if profile is not None else None


@dataclass(frozen=True)
class PendingRecovery:
    """A password recovery between its steps, kept in the session. `user_id` is
    None when the username and mobile did not match an account: the person goes
    through the same steps and no code ever matches, so the form does not tell
    strangers which national codes have accounts."""

    user_id: int | None
    mobile: str
    started_at: datetime
    otp_verified: bool = False
    wrong_codes: int = 0

    def to_session(self) -> dict[str, object]:
        return {**asdict(self), "started_at": self.started_at.isoformat()}

    @classmethod
    def from_session(cls, data: object) -> "PendingRecovery":
        if not isinstance(data, dict):
            raise RecoveryExpired
        try:
            user_id = data["user_id"]
            pending = cls(
                user_id=int(user_id) if user_id is not None else None,
                mobile=str(data["mobile"]),
                started_at=datetime.fromisoformat(str(data["started_at"])),
                otp_verified=bool(data["otp_verified"]),
                wrong_codes=int(data["wrong_codes"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise RecoveryExpired from exc
        if timezone.now() - pending.started_at > REGISTRATION_TTL:
            raise RecoveryExpired
        return pending


def recovery_start(*, username: str, mobile: str, ip: str | None) -> PendingRecovery:
    """Send a recovery code to the account's verified mobile if `mobile` is it.
    Raises OtpTooSoon / OtpLimitReached; otherwise the answer looks the same
    whether or not the account exists."""
    mobile = normalize_mobile(mobile)
    if ip:
        verdict = ratelimit.hit(
            key=f"recovery:ip:{ip}", limit=settings.OTP_MAX_PER_IP_PER_HOUR, window_seconds=3600
        )
        if not verdict.allowed:
            raise OtpLimitReached(verdict.retry_after)
    user = User.objects.filter(username=normalize_username(username), is_active=True).first()
    matched = user is not None and recovery_mobile(user) == mobile
    if matched:
        otp_send(purpose=OtpPurpose.PASSWORD_RESET, mobile=mobile, ip=ip)
    return PendingRecovery(
        user_id=user.pk if matched and user is not None else None,
        mobile=mobile,
        started_at=timezone.now(),
    )


def recovery_verify(*, pending: PendingRecovery, code: str) -> PendingRecovery:
    """Raises OtpInvalid / OtpExpired / OtpTooManyAttempts, as for any code."""
    if pending.user_id is None:
        if pending.wrong_codes + 1 >= settings.OTP_MAX_WRONG_ATTEMPTS:
            raise OtpTooManyAttempts
        raise OtpInvalid
    otp_verify(purpose=OtpPurpose.PASSWORD_RESET, mobile=pending.mobile, code=code)
    return replace(pending, otp_verified=True)


def recovery_complete(*, pending: PendingRecovery, password: str) -> User:
    """Set the new password, end every other session of the account, lift a
    login lockout, and tell the owner by SMS."""
    if not pending.otp_verified or pending.user_id is None:
        raise RecoveryExpired
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=pending.user_id, is_active=True)
        user.set_password(password)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        for session in UserSession.objects.filter(user=user):
            session.end()
        audit_record(actor=user, action="account.password_recover", target=user)
        sms_queue(
            sender=SYSTEM_SENDER,
            to=pending.mobile,
            body=_(
                "پیام ایران\nگذرواژه‌ی حساب شما با کد پیامکی عوض شد. اگر شما نبودید، "
                "همین حالا گذرواژه را بازیابی کنید و به پشتیبانی خبر دهید."
            ),
            kind=SmsKind.NOTIFICATION,
            idempotency_key=f"password-recovered:{user.pk}:{timezone.now().timestamp()}",
        )
    axes_reset(username=user.username)
    return user
