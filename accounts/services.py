"""Every write of the accounts app."""

import hashlib
import hmac
import logging
import secrets
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, timedelta

from allauth.usersessions.models import UserSession
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from payam import ratelimit
from payam.audit import audit_record
from payam.inquiry import CivilIdentity, get_backend
from payam.phone import local_mobile, normalize_mobile
from payam.text import localized_digits, normalize_digits, normalize_name, normalize_username
from sms.constants import SYSTEM_SENDER, SmsKind
from sms.services import queue_sms

from .constants import (
    EMAIL_VERIFY_MAX_PER_HOUR,
    INBOX_TRANSITIONS,
    OTP_LENGTH,
    InboxStatus,
    OtpPurpose,
)
from .events import person_registered
from .exceptions import (
    AlreadyRegistered,
    CeoDetailsMismatch,
    CompanyNotActive,
    EmailLimitReached,
    EmailNotVerified,
    EmailUnchanged,
    IdentityNotEligible,
    InboxTransitionNotAllowed,
    MobileNotCeos,
    MobileNotOwned,
    NotTheCeo,
    OtpExpired,
    OtpInvalid,
    OtpLimitReached,
    OtpTooManyAttempts,
    OtpTooSoon,
    ProfileMissing,
    ReasonRequired,
    RecoveryExpired,
    RegistrationExpired,
    RegistrationNumberMismatch,
    SameMobile,
    UsernameTaken,
)
from .models import LegalPerson, NaturalPerson, OneTimeCode, Role, RoleGrant, User, UserKind
from .roles import may_grant
from .selectors import (
    EMAIL_TOKEN_SALT,
    email_state,
    email_token_check,
    holder_national_code,
    profile_of,
)

logger = logging.getLogger(__name__)

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
        queue_sms(
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


# --- inbox status ---------------------------------------------------------------------------


def inbox_status_change(
    *,
    actor: AbstractBaseUser,
    profile: NaturalPerson | LegalPerson,
    to: InboxStatus | str,
    reason: str = "",
) -> NaturalPerson | LegalPerson:
    """Activate or suspend a person's inbox. Until the broker workspace exists an
    administrator does this from the admin; a suspension needs a written reason."""
    to = InboxStatus(to)
    model_name = profile._meta.model_name
    if not actor.has_perm(f"accounts.change_{model_name}"):  # type: ignore[attr-defined]
        raise PermissionDenied
    reason = reason.strip()
    if to == InboxStatus.SUSPENDED and not reason:
        raise ReasonRequired
    with transaction.atomic():
        locked = type(profile).objects.select_for_update().get(pk=profile.pk)
        if to not in INBOX_TRANSITIONS[InboxStatus(locked.inbox_status)]:
            raise InboxTransitionNotAllowed
        previous = locked.inbox_status
        locked.inbox_status = to
        locked.status_reason = reason[:300]
        locked.status_changed_at = timezone.now()
        locked.save(update_fields=["inbox_status", "status_reason", "status_changed_at"])
        audit_record(
            actor=actor,
            action=f"inbox.{to}",
            target=locked,
            acting_for=locked.user,
            data={"from": previous, "to": to, "reason": reason},
        )
    return locked


# --- registration ---------------------------------------------------------------------------

REGISTRATION_TTL = timedelta(minutes=30)


@dataclass(frozen=True)
class PendingRegistration:
    """What the registries confirmed, kept in the session between the steps:
    the account's username, the proven mobile, and the profile's fields."""

    kind: str  # UserKind.NATURAL or UserKind.LEGAL
    username: str
    mobile: str
    display_name: str
    profile: dict[str, str]
    started_at: datetime
    otp_verified: bool = False

    def to_session(self) -> dict[str, object]:
        return {**asdict(self), "started_at": self.started_at.isoformat()}

    @classmethod
    def from_session(cls, data: object, *, kind: str) -> "PendingRegistration":
        if not isinstance(data, dict) or data.get("kind") != kind:
            raise RegistrationExpired
        try:
            pending = cls(
                kind=str(data["kind"]),
                username=str(data["username"]),
                mobile=str(data["mobile"]),
                display_name=str(data["display_name"]),
                profile={str(k): str(v) for k, v in dict(data["profile"]).items()},
                started_at=datetime.fromisoformat(str(data["started_at"])),
                otp_verified=bool(data["otp_verified"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise RegistrationExpired from exc
        if timezone.now() - pending.started_at > REGISTRATION_TTL:
            raise RegistrationExpired
        return pending


def _ensure_new_username(username: str, kind: str) -> None:
    if User.objects.filter(username=username).exists():
        raise AlreadyRegistered(kind=kind)


def _confirm_person(*, national_code: str, birth_date: date, mobile: str) -> CivilIdentity:
    """The civil registry knows this living person, and Shahkar says the mobile is theirs."""
    inquiry = get_backend()
    identity = inquiry.civil_identity(national_code=national_code, birth_date=birth_date)
    if not identity.is_alive:
        raise IdentityNotEligible
    if not inquiry.shahkar_matches(national_code=national_code, mobile=mobile):
        raise MobileNotOwned
    return identity


def natural_registration_start(
    *, national_code: str, birth_date: date, mobile: str, ip: str | None
) -> PendingRegistration:
    """Check the person with the civil registry and the mobile with Shahkar, then
    send a code to that mobile. Raises the inquiry errors (IdentityNotFound,
    BirthDateMismatch, InquiryUnavailable), AlreadyRegistered, IdentityNotEligible,
    MobileNotOwned or an OTP limit; nothing is stored but the code."""
    mobile = normalize_mobile(mobile)
    _ensure_new_username(national_code, UserKind.NATURAL)
    identity = _confirm_person(national_code=national_code, birth_date=birth_date, mobile=mobile)
    otp_send(purpose=OtpPurpose.REGISTRATION, mobile=mobile, ip=ip)
    return PendingRegistration(
        kind=UserKind.NATURAL,
        username=national_code,
        mobile=mobile,
        display_name=identity.full_name,
        profile={
            "national_code": national_code,
            "first_name": identity.first_name,
            "last_name": identity.last_name,
            "father_name": identity.father_name,
            "birth_date": birth_date.isoformat(),
            "gender": identity.gender,
        },
        started_at=timezone.now(),
    )


def legal_registration_start(
    *,
    national_id: str,
    registration_number: str,
    ceo_national_code: str,
    ceo_birth_date: date,
    ceo_first_name: str,
    ceo_last_name: str,
    ceo_father_name: str,
    ceo_gender: str,
    mobile: str,
    phone: str,
    email: str,
    ip: str | None,
) -> PendingRegistration:
    """The company registry confirms the company is active and this person is its
    CEO; the civil registry confirms the CEO as typed; Shahkar confirms the mobile
    is the CEO's. Then a code goes to that mobile."""
    mobile = normalize_mobile(mobile)
    _ensure_new_username(national_id, UserKind.LEGAL)
    company = get_backend().company_record(national_id=national_id)
    if company.status != "active":
        raise CompanyNotActive
    if company.registration_number != registration_number:
        raise RegistrationNumberMismatch
    if company.ceo_national_code != ceo_national_code:
        raise NotTheCeo
    identity = _confirm_person(
        national_code=ceo_national_code, birth_date=ceo_birth_date, mobile=mobile
    )
    typed = (normalize_name(ceo_first_name), normalize_name(ceo_last_name))
    if typed != (identity.first_name, identity.last_name) or ceo_gender != identity.gender:
        raise CeoDetailsMismatch
    if ceo_father_name and normalize_name(ceo_father_name) != identity.father_name:
        raise CeoDetailsMismatch
    otp_send(purpose=OtpPurpose.REGISTRATION, mobile=mobile, ip=ip)
    return PendingRegistration(
        kind=UserKind.LEGAL,
        username=national_id,
        mobile=mobile,
        display_name=company.name,
        profile={
            "national_id": national_id,
            "name": company.name,
            "registration_number": registration_number,
            "ceo_national_code": ceo_national_code,
            "ceo_name": identity.full_name,
            "phone": phone,
            "email": email,
        },
        started_at=timezone.now(),
    )


def registration_verify(*, pending: PendingRegistration, code: str) -> PendingRegistration:
    otp_verify(purpose=OtpPurpose.REGISTRATION, mobile=pending.mobile, code=code)
    return replace(pending, otp_verified=True)


def registration_complete(*, pending: PendingRegistration, password: str) -> User:
    """Create the account and its profile (inbox `registered`) once the mobile is proven."""
    if not pending.otp_verified:
        raise RegistrationExpired
    fields = dict(pending.profile)
    try:
        with transaction.atomic():
            user = User(username=pending.username, kind=pending.kind)
            if pending.kind == UserKind.NATURAL:
                user.first_name, user.last_name = fields["first_name"], fields["last_name"]
            else:
                user.first_name = fields["name"][:150]
            user.set_password(password)
            user.save()
            profile: NaturalPerson | LegalPerson
            if pending.kind == UserKind.NATURAL:
                fields["birth_date"] = date.fromisoformat(fields["birth_date"])  # type: ignore[assignment]
                profile = NaturalPerson.objects.create(user=user, mobile=pending.mobile, **fields)
            else:
                profile = LegalPerson.objects.create(user=user, mobile=pending.mobile, **fields)
            audit_record(
                actor=user, action="account.register", target=profile, data={"kind": pending.kind}
            )
            person_registered.send(sender=User, user=user, profile=profile)
    except IntegrityError as exc:
        raise AlreadyRegistered(kind=pending.kind) from exc
    return user


# --- passwords and recovery -------------------------------------------------------------------


def password_changed_by_owner(*, user: User) -> None:
    """The owner chose a new password (allauth's change-password page): a
    generated first password no longer needs changing."""
    with transaction.atomic():
        if user.must_change_password:
            User.objects.filter(pk=user.pk).update(must_change_password=False)
            user.must_change_password = False
        audit_record(actor=user, action="account.password_change", target=user)


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
        queue_sms(
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


# --- profile ---------------------------------------------------------------------------------


def _own_profile(user: User, *, lock: bool = False) -> NaturalPerson | LegalPerson:
    """The acting user's own profile, read fresh from the database (locked for
    update when asked): the user object may carry an older copy. Staff have none."""
    profile = profile_of(user)
    if profile is None:
        raise ProfileMissing
    rows = type(profile).objects
    return (rows.select_for_update() if lock else rows).get(pk=profile.pk)


def _masked_mobile(mobile: str) -> str:
    """+989121234567 → 0912***4567: enough for the owner to recognize, for logs and SMS."""
    local = local_mobile(mobile)
    return f"{local[:4]}***{local[-4:]}"


def _masked_email(email: str) -> str:
    name, _at, domain = email.partition("@")
    return f"{name[:1]}***@{domain}" if email else ""


def _email_link_lifetime() -> str:
    seconds = settings.EMAIL_VERIFY_MAX_AGE
    if seconds >= 3600 and seconds % 3600 == 0:
        return _("%(hours)s ساعت") % {"hours": localized_digits(seconds // 3600)}
    return _("%(minutes)s دقیقه") % {"minutes": localized_digits(max(1, -(-seconds // 60)))}


def _send_email(*, subject: str, body: str, to: str) -> None:
    """Sent after the commit; a mail server being down is logged, and the person
    can ask for the link again."""
    try:
        send_mail(subject, body, None, [to])
    except Exception:
        logger.exception("Could not send the e-mail confirmation link")


def email_change_request(*, user: User, email: str, site_url: str) -> None:
    """Send a confirmation link to `email`. Nothing on the profile changes until the
    owner opens the link (email_confirm). The link is signed (salt "accounts.email"),
    names this account, lasts EMAIL_VERIFY_MAX_AGE seconds and works once; `site_url`
    is the portal's address the link starts with. Raises EmailUnchanged,
    EmailLimitReached or ProfileMissing."""
    email = BaseUserManager.normalize_email(email.strip())
    validate_email(email)
    with transaction.atomic():
        profile = _own_profile(user, lock=True)
        if profile.email_verified_at and profile.email.lower() == email.lower():
            raise EmailUnchanged
        verdict = ratelimit.hit(
            key=f"email-verify:user:{user.pk}",
            limit=EMAIL_VERIFY_MAX_PER_HOUR,
            window_seconds=3600,
        )
        if not verdict.allowed:
            raise EmailLimitReached(verdict.retry_after)
        token = signing.dumps(
            {"user": user.pk, "email": email, "state": email_state(profile)},
            salt=EMAIL_TOKEN_SALT,
        )
        path = reverse("accounts:profile_email_confirm", kwargs={"token": token})
        subject = _("تأیید رایانامه‌ی حساب پیام ایران")
        body = _(
            "سلام،\n\n"
            "کسی که به حساب خود در پیام ایران وارد شده، این نشانی را رایانامه‌ی حسابش معرفی "
            "کرده است. اگر شما بودید، پیوند زیر را باز کنید و تأیید را بزنید؛ این پیوند تا "
            "%(lifetime)s معتبر است و یک بار کار می‌کند:\n\n%(link)s\n\n"
            "اگر شما نبودید، این نامه را نادیده بگیرید؛ چیزی تغییر نمی‌کند.\n\n"
            "پیام ایران — درگاه ملی پیام‌رسانی رسمی"
        ) % {"lifetime": _email_link_lifetime(), "link": site_url.rstrip("/") + path}
        audit_record(
            actor=user,
            action="account.email_change_request",
            target=profile,
            data={"email": _masked_email(email)},
        )
        transaction.on_commit(lambda: _send_email(subject=subject, body=body, to=email))


def email_confirm(*, user: User, token: str) -> NaturalPerson | LegalPerson:
    """Make the address in a confirmation link the profile's verified e-mail. Raises
    EmailLinkInvalid (forged or damaged), EmailLinkExpired, EmailLinkNotYours,
    EmailLinkUsed (used already, or the e-mail changed since) or ProfileMissing."""
    with transaction.atomic():
        profile = _own_profile(user, lock=True)
        email = email_token_check(user=user, token=token, profile=profile)  # the locked row
        previous = profile.email
        profile.email = email
        profile.email_verified_at = timezone.now()
        profile.save(update_fields=["email", "email_verified_at"])
        audit_record(
            actor=user,
            action="account.email_verify",
            target=profile,
            data={"from": _masked_email(previous), "to": _masked_email(email)},
        )
    return profile


def _ensure_holders_mobile(profile: NaturalPerson | LegalPerson, mobile: str) -> None:
    """Shahkar says `mobile` is in the holder's name (a company's: its CEO's).
    Raises MobileNotOwned (MobileNotCeos) or InquiryUnavailable."""
    national_code = holder_national_code(profile)
    if not get_backend().shahkar_matches(national_code=national_code, mobile=mobile):
        raise MobileNotCeos if isinstance(profile, LegalPerson) else MobileNotOwned


def mobile_change_start(*, user: User, mobile: str, ip: str | None) -> OtpChallenge:
    """Check the new mobile with Shahkar for the account's holder, then send a code
    to the NEW number. Raises SameMobile, MobileNotOwned / MobileNotCeos,
    InquiryUnavailable, OtpTooSoon / OtpLimitReached or ProfileMissing; nothing is
    stored but the code."""
    mobile = normalize_mobile(mobile)
    profile = _own_profile(user)
    if mobile == profile.mobile:
        raise SameMobile
    _ensure_holders_mobile(profile, mobile)
    return otp_send(purpose=OtpPurpose.MOBILE_CHANGE, mobile=mobile, ip=ip)


def mobile_change_verify(*, user: User, mobile: str, code: str) -> NaturalPerson | LegalPerson:
    """Accept the code sent to the new mobile and make it the profile's mobile; the
    old number gets an SMS saying so. Shahkar is asked again first: the code proves
    only that the person holds the SIM, and the line may have changed hands since
    the code was sent. Raises SameMobile, MobileNotOwned / MobileNotCeos,
    InquiryUnavailable, OtpInvalid / OtpExpired / OtpTooManyAttempts or ProfileMissing."""
    mobile = normalize_mobile(mobile)
    profile = _own_profile(user)
    if mobile == profile.mobile:
        raise SameMobile
    _ensure_holders_mobile(profile, mobile)
    # Outside the transaction below: a wrong try must stay counted when it raises.
    otp_verify(purpose=OtpPurpose.MOBILE_CHANGE, mobile=mobile, code=code)
    with transaction.atomic():
        locked = type(profile).objects.select_for_update().get(pk=profile.pk)
        old = locked.mobile
        locked.mobile = mobile
        locked.save(update_fields=["mobile"])
        audit_record(
            actor=user,
            action="account.mobile_change",
            target=locked,
            data={"from": _masked_mobile(old), "to": _masked_mobile(mobile)},
        )
        # An outbox row in this transaction; the SMS worker is rung after the commit.
        queue_sms(
            sender=SYSTEM_SENDER,
            to=old,
            body=_(
                "پیام ایران\nشماره‌ی همراه حساب شما به %(mobile)s تغییر کرد و پیامک‌های "
                "پیام ایران دیگر به این شماره نمی‌آید. اگر شما نبودید، همین حالا به "
                "پشتیبانی یا یکی از دفاتر پیشخوان خبر دهید."
            )
            % {"mobile": _masked_mobile(mobile)},
            kind=SmsKind.NOTIFICATION,
            idempotency_key=f"mobile-changed:{locked._meta.model_name}:{locked.pk}:{mobile}:"
            f"{timezone.now().timestamp()}",
        )
    return locked


def notification_preferences_update(
    *, user: User, by_sms: bool, by_email: bool
) -> NaturalPerson | LegalPerson:
    """How the person is told of a new letter. E-mail needs a verified address
    (EmailNotVerified); an unchanged choice writes nothing."""
    with transaction.atomic():
        profile = _own_profile(user, lock=True)
        if by_email and profile.email_verified_at is None:
            raise EmailNotVerified
        before = {"sms": profile.notify_by_sms, "email": profile.notify_by_email}
        after = {"sms": bool(by_sms), "email": bool(by_email)}
        if before == after:
            return profile
        profile.notify_by_sms, profile.notify_by_email = after["sms"], after["email"]
        profile.save(update_fields=["notify_by_sms", "notify_by_email"])
        audit_record(
            actor=user,
            action="account.notifications_update",
            target=profile,
            data={"from": before, "to": after},
        )
    return profile


# --- roles -----------------------------------------------------------------------------------


def role_grant(
    *,
    actor: AbstractBaseUser,
    user: User,
    role: Role | str,
    organization: models.Model | None = None,
) -> RoleGrant:
    """Give `user` a role (for `organization`, where the role has one), if
    `actor` may (see accounts.roles.may_grant). Granting a live role again is a no-op."""
    role = Role(role)
    if not may_grant(actor, role=role, organization=organization):
        raise PermissionDenied
    org_type = ContentType.objects.get_for_model(organization) if organization else None
    with transaction.atomic():
        grant, created = RoleGrant.objects.get_or_create(
            user=user,
            role=role,
            organization_type=org_type,
            organization_id=organization.pk if organization else None,
            revoked_at__isnull=True,
            defaults={"granted_by": actor if isinstance(actor, User) else None},
        )
        if created:
            audit_record(
                actor=actor,
                action="account.role_grant",
                target=user,
                data={"role": role, "grant": grant.pk},
            )
    return grant


def role_revoke(*, actor: AbstractBaseUser, grant: RoleGrant) -> None:
    if not may_grant(actor, role=Role(grant.role), organization=grant.organization):
        raise PermissionDenied
    with transaction.atomic():
        updated = RoleGrant.objects.filter(pk=grant.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if updated:
            audit_record(
                actor=actor,
                action="account.role_revoke",
                target=grant.user,
                data={"role": grant.role, "grant": grant.pk},
            )


# --- staff accounts ----------------------------------------------------------------------------

STAFF_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105


def _generated_password() -> str:
    return "-".join(
        "".join(secrets.choice(STAFF_PASSWORD_ALPHABET) for _ in range(4)) for _ in range(3)
    )


def staff_account_create(
    *,
    actor: AbstractBaseUser,
    username: str,
    first_name: str,
    last_name: str,
    mobile: str,
    role: Role | str,
    organization: models.Model | None = None,
) -> User:
    """Create a staff account with a generated password that must be changed at
    first login, give it `role`, and send the username and password by SMS to
    `mobile`. Allowed to whoever may grant that role (accounts.roles.may_grant)."""
    role = Role(role)
    if not may_grant(actor, role=role, organization=organization):
        raise PermissionDenied
    mobile = normalize_mobile(mobile)
    password = _generated_password()
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise UsernameTaken
        user = User(
            username=username,
            first_name=normalize_name(first_name),
            last_name=normalize_name(last_name),
            kind=UserKind.STAFF,
            must_change_password=True,
        )
        user.set_password(password)
        user.save()
        audit_record(actor=actor, action="account.staff_create", target=user, data={"role": role})
        role_grant(actor=actor, user=user, role=role, organization=organization)
        queue_sms(
            sender=SYSTEM_SENDER,
            to=mobile,
            body=_(
                "پیام ایران\nحساب کاربری شما ساخته شد.\nنام کاربری: %(username)s\n"
                "گذرواژه‌ی موقت: %(password)s\nدر نخستین ورود گذرواژه را عوض کنید."
            )
            % {"username": username, "password": password},
            kind=SmsKind.NOTIFICATION,
            idempotency_key=f"staff-created:{user.pk}",
        )
    return user
