"""Passwords and their recovery by SMS."""

import hmac
import logging
import time
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta

from allauth.usersessions.models import UserSession
from axes.utils import reset as axes_reset
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from payam import ratelimit
from payam.audit import audit_record
from payam.celery import QUEUE_SMS_OTP
from payam.phone import normalize_mobile
from payam.text import normalize_username
from sms.constants import SYSTEM_SENDER, SmsKind
from sms.services import sms_queue

from ..constants import (
    OtpPurpose,
)
from ..exceptions import (
    AccountsError,
    OtpExpired,
    OtpInvalid,
    OtpLimitReached,
    OtpTooManyAttempts,
    OtpTooSoon,
    RecoveryExpired,
)
from ..lockout import lockout_username
from ..models import User
from ..selectors import (
    profile_of,
    recovery_cooldown_key,
    recovery_resend_wait,
)
from .otp import otp_send, otp_verify
from .registration import REGISTRATION_TTL

logger = logging.getLogger("payam.accounts")

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
    through the same steps, sees the same pages and no code ever matches, so the
    form does not tell strangers which usernames and mobiles belong together.
    `code_sent_at` is when the last code was asked for and `wrong_codes` the wrong
    tries since: both are kept here, for a real pair and a made-up one alike."""

    user_id: int | None
    username: str
    mobile: str
    started_at: datetime
    code_sent_at: datetime
    otp_verified: bool = False
    wrong_codes: int = 0

    def to_session(self) -> dict[str, object]:
        return {
            **asdict(self),
            "started_at": self.started_at.isoformat(),
            "code_sent_at": self.code_sent_at.isoformat(),
        }

    @classmethod
    def from_session(cls, data: object) -> "PendingRecovery":
        if not isinstance(data, dict):
            raise RecoveryExpired
        try:
            user_id = data["user_id"]
            pending = cls(
                user_id=int(user_id) if user_id is not None else None,
                username=str(data["username"]),
                mobile=str(data["mobile"]),
                started_at=datetime.fromisoformat(str(data["started_at"])),
                code_sent_at=datetime.fromisoformat(str(data["code_sent_at"])),
                otp_verified=bool(data["otp_verified"]),
                wrong_codes=int(data["wrong_codes"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise RecoveryExpired from exc
        if timezone.now() - pending.started_at > REGISTRATION_TTL:
            raise RecoveryExpired
        return pending


# Compared with a typed mobile when the username names no account with a mobile,
# so the comparison costs the same either way. No mobile is ever written like this.
_NO_MOBILE = "+98" + "0" * 10


def _matching_account(*, username: str, mobile: str) -> int | None:
    """The id of the active account `username` whose verified mobile is `mobile`,
    else None. One query and one constant-time comparison whatever the answer."""
    user = (
        User.objects.select_related("naturalperson", "legalperson")
        .filter(username=username, is_active=True)
        .first()
    )
    known = (recovery_mobile(user) if user is not None else None) or _NO_MOBILE
    matched = hmac.compare_digest(known.encode(), mobile.encode())
    return user.pk if matched and user is not None else None


def _claim_code(*, username: str, mobile: str, ip: str | None) -> datetime:
    """Count a recovery code asked for and start the mobile's resend countdown,
    from state that is the same whether or not the pair matches an account: the
    countdown per mobile (OtpTooSoon), and per hour the client address, the
    username and the mobile (OtpLimitReached). Returns when it was asked."""
    wait = recovery_resend_wait(mobile=mobile)
    if wait:
        raise OtpTooSoon(wait)
    limits = [
        (f"recovery:user:{username}", settings.OTP_MAX_PER_MOBILE_PER_HOUR),
        (f"recovery:mobile:{mobile}", settings.OTP_MAX_PER_MOBILE_PER_HOUR),
    ]
    if ip:
        limits.insert(0, (f"recovery:ip:{ip}", settings.OTP_MAX_PER_IP_PER_HOUR))
    for key, limit in limits:
        verdict = ratelimit.hit(key=key, limit=limit, window_seconds=3600)
        if not verdict.allowed:
            raise OtpLimitReached(verdict.retry_after)
    key, now = recovery_cooldown_key(mobile), time.time()
    if not cache.add(key, now, settings.OTP_RESEND_SECONDS):
        wait = recovery_resend_wait(mobile=mobile)
        if wait:  # another request for this mobile won the race a moment ago
            raise OtpTooSoon(wait)
        # The mark outlived its countdown (the cache's clock is not ours): take it over.
        cache.set(key, now, settings.OTP_RESEND_SECONDS)
    return timezone.now()


def _ring_code(*, user_id: int | None, mobile: str) -> None:
    """After the commit, hand the code to the OTP worker: for a made-up pair too
    (it then does nothing there), so the request does the same work either way."""

    def ring() -> None:
        from ..tasks import recovery_code_send as task

        task.apply_async(args=(user_id, mobile), queue=QUEUE_SMS_OTP)

    transaction.on_commit(ring)


def recovery_start(*, username: str, mobile: str, ip: str | None) -> PendingRecovery:
    """Start a recovery: if `mobile` is the verified mobile of the account
    `username`, a code goes to it (from the OTP worker, `recovery_code_send`).
    Raises OtpTooSoon / OtpLimitReached; every answer, page and limit is the same
    whether or not the pair matches an account."""
    username = normalize_username(username)
    mobile = normalize_mobile(mobile)
    asked_at = _claim_code(username=username, mobile=mobile, ip=ip)
    user_id = _matching_account(username=username, mobile=mobile)
    _ring_code(user_id=user_id, mobile=mobile)
    return PendingRecovery(
        user_id=user_id,
        username=username,
        mobile=mobile,
        started_at=asked_at,
        code_sent_at=asked_at,
    )


def recovery_resend(*, pending: PendingRecovery, ip: str | None) -> PendingRecovery:
    """Ask for a fresh code, under the limits of `recovery_start`; the wrong tries
    start again from zero, as they do for a new code."""
    asked_at = _claim_code(username=pending.username, mobile=pending.mobile, ip=ip)
    _ring_code(user_id=pending.user_id, mobile=pending.mobile)
    return replace(pending, code_sent_at=asked_at, wrong_codes=0)


def recovery_code_send(*, user_id: int | None, mobile: str) -> bool:
    """The OTP worker's half of a recovery (task `accounts.recovery_code_send`):
    send a `password_reset` code to `mobile` if it is still the verified mobile of
    the active account `user_id`; nothing for a recovery that matched no account.
    A refusal of the OTP limits (a code for another purpose a moment ago) is
    logged, never shown: the person was already answered the same either way.
    Returns whether a code was sent."""
    if user_id is None:
        return False
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or recovery_mobile(user) != mobile:
        return False
    try:
        otp_send(purpose=OtpPurpose.PASSWORD_RESET, mobile=mobile, ip=None)
    except (OtpTooSoon, OtpLimitReached) as exc:
        logger.info("No recovery code for account %s: %s", user_id, type(exc).__name__)
        return False
    return True


def recovery_verify(*, pending: PendingRecovery, code: str) -> PendingRecovery:
    """Accept the code of a recovery that matched an account. Raises
    OtpTooManyAttempts (OTP_MAX_WRONG_ATTEMPTS wrong tries since the last code),
    OtpExpired (OTP_TTL_SECONDS after it was asked for) or OtpInvalid, decided from
    `pending` alone, so a made-up pair answers exactly as a real one; the caller
    counts a wrong try (OtpInvalid, OtpTooManyAttempts) in `pending.wrong_codes`.
    The code is checked against the mobile's codes either way, which also counts
    the try against the code itself."""
    if pending.wrong_codes >= settings.OTP_MAX_WRONG_ATTEMPTS:
        raise OtpTooManyAttempts
    if timezone.now() >= pending.code_sent_at + timedelta(seconds=settings.OTP_TTL_SECONDS):
        raise OtpExpired
    try:
        otp_verify(purpose=OtpPurpose.PASSWORD_RESET, mobile=pending.mobile, code=code)
        right = pending.user_id is not None
    except AccountsError:
        right = False
    if right:
        return replace(pending, otp_verified=True)
    if pending.wrong_codes + 1 >= settings.OTP_MAX_WRONG_ATTEMPTS:
        raise OtpTooManyAttempts
    raise OtpInvalid


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
    axes_reset(username=lockout_username(user.username))
    return user
