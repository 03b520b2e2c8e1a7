"""A person's own profile: e-mail, mobile, notification preferences."""

import logging

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from payam import ratelimit
from payam.audit import audit_record
from payam.constants import Province
from payam.inquiry import get_backend
from payam.phone import local_mobile, normalize_mobile
from payam.text import localized_digits
from sms.constants import SYSTEM_SENDER, SmsKind
from sms.services import sms_queue

from ..constants import (
    EMAIL_VERIFY_MAX_PER_HOUR,
    OtpPurpose,
)
from ..exceptions import (
    EmailLimitReached,
    EmailNotVerified,
    EmailUnchanged,
    InvalidProvince,
    MobileNotCeos,
    MobileNotOwned,
    ProfileMissing,
    SameMobile,
)
from ..models import LegalPerson, NaturalPerson, User
from ..roles import is_broker_clerk
from ..selectors import (
    EMAIL_TOKEN_SALT,
    email_state,
    email_token_check,
    holder_national_code,
    profile_of,
)
from .otp import OtpChallenge, otp_send, otp_verify

logger = logging.getLogger(__name__)


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


def email_change_request(*, actor: User, email: str, site_url: str) -> None:
    """Send a confirmation link to `email`. Nothing on the profile changes until the
    owner opens the link (email_confirm). The link is signed (salt "accounts.email"),
    names this account, lasts EMAIL_VERIFY_MAX_AGE seconds and works once; `site_url`
    is the portal's address the link starts with. Raises EmailUnchanged,
    EmailLimitReached or ProfileMissing."""
    email = BaseUserManager.normalize_email(email.strip())
    validate_email(email)
    with transaction.atomic():
        profile = _own_profile(actor, lock=True)
        if profile.email_verified_at and profile.email.lower() == email.lower():
            raise EmailUnchanged
        verdict = ratelimit.hit(
            key=f"email-verify:user:{actor.pk}",
            limit=EMAIL_VERIFY_MAX_PER_HOUR,
            window_seconds=3600,
        )
        if not verdict.allowed:
            raise EmailLimitReached(verdict.retry_after)
        token = signing.dumps(
            {"user": actor.pk, "email": email, "state": email_state(profile)},
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
            actor=actor,
            action="account.email_change_request",
            target=profile,
            data={"email": _masked_email(email)},
        )
        transaction.on_commit(lambda: _send_email(subject=subject, body=body, to=email))


def email_confirm(*, actor: User, token: str) -> NaturalPerson | LegalPerson:
    """Make the address in a confirmation link the profile's verified e-mail. Raises
    EmailLinkInvalid (forged or damaged), EmailLinkExpired, EmailLinkNotYours,
    EmailLinkUsed (used already, or the e-mail changed since) or ProfileMissing."""
    with transaction.atomic():
        profile = _own_profile(actor, lock=True)
        email = email_token_check(user=actor, token=token, profile=profile)  # the locked row
        previous = profile.email
        profile.email = email
        profile.email_verified_at = timezone.now()
        profile.save(update_fields=["email", "email_verified_at"])
        audit_record(
            actor=actor,
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


def mobile_change_start(*, actor: User, mobile: str, ip: str | None) -> OtpChallenge:
    """Check the new mobile with Shahkar for the account's holder, then send a code
    to the NEW number. Raises SameMobile, MobileNotOwned / MobileNotCeos,
    InquiryUnavailable, OtpTooSoon / OtpLimitReached or ProfileMissing; nothing is
    stored but the code."""
    mobile = normalize_mobile(mobile)
    profile = _own_profile(actor)
    if mobile == profile.mobile:
        raise SameMobile
    _ensure_holders_mobile(profile, mobile)
    return otp_send(purpose=OtpPurpose.MOBILE_CHANGE, mobile=mobile, ip=ip)


def mobile_change_verify(*, actor: User, mobile: str, code: str) -> NaturalPerson | LegalPerson:
    """Accept the code sent to the new mobile and make it the profile's mobile; the
    old number gets an SMS saying so. Shahkar is asked again first: the code proves
    only that the person holds the SIM, and the line may have changed hands since
    the code was sent. Raises SameMobile, MobileNotOwned / MobileNotCeos,
    InquiryUnavailable, OtpInvalid / OtpExpired / OtpTooManyAttempts or ProfileMissing."""
    mobile = normalize_mobile(mobile)
    profile = _own_profile(actor)
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
            actor=actor,
            action="account.mobile_change",
            target=locked,
            data={"from": _masked_mobile(old), "to": _masked_mobile(mobile)},
        )
        # An outbox row in this transaction; the SMS worker is rung after the commit.
        sms_queue(
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
    *, actor: User, by_sms: bool, by_email: bool
) -> NaturalPerson | LegalPerson:
    """How the person is told of a new letter. E-mail needs a verified address
    (EmailNotVerified); an unchanged choice writes nothing."""
    with transaction.atomic():
        profile = _own_profile(actor, lock=True)
        if by_email and profile.email_verified_at is None:
            raise EmailNotVerified
        before = {"sms": profile.notify_by_sms, "email": profile.notify_by_email}
        after = {"sms": bool(by_sms), "email": bool(by_email)}
        if before == after:
            return profile
        profile.notify_by_sms, profile.notify_by_email = after["sms"], after["email"]
        profile.save(update_fields=["notify_by_sms", "notify_by_email"])
        audit_record(
            actor=actor,
            action="account.notifications_update",
            target=profile,
            data={"from": before, "to": after},
        )
    return profile


def province_set(
    *, actor: User, profile: NaturalPerson | LegalPerson, province: str, source: str
) -> NaturalPerson | LegalPerson:
    """The province the person's crisis notices go by (blank: only the notices to
    everyone). The person sets their own (`source="profile"`); a broker-office
    clerk's in-person activation sets it from the office's province
    (`source="activation"`, the caller checked the clerk). Audited; an unchanged
    value writes nothing. InvalidProvince for a value that is not a province."""
    if province and province not in Province.values:
        raise InvalidProvince
    if source == "profile" and profile.user_id != actor.pk:
        raise PermissionDenied
    if source == "activation" and not is_broker_clerk(actor):
        raise PermissionDenied
    with transaction.atomic():
        locked = type(profile).objects.select_for_update().get(pk=profile.pk)
        before = locked.province
        if before == province:
            return locked
        locked.province = province
        locked.save(update_fields=["province"])
        audit_record(
            actor=actor,
            action="account.province_set",
            target=locked,
            acting_for=locked.user if actor.pk != locked.user_id else None,
            data={"from": before, "to": province, "source": source},
        )
    return locked
