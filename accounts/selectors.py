"""Reads of the accounts app."""

import hashlib
import math
import time
from collections.abc import Sequence
from datetime import timedelta

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.utils import timezone

from payam.phone import normalize_mobile

from .constants import InboxStatus, OtpPurpose
from .exceptions import (
    EmailLinkExpired,
    EmailLinkInvalid,
    EmailLinkNotYours,
    EmailLinkUsed,
    ProfileMissing,
)
from .models import LegalPerson, LoginEvent, NaturalPerson, OneTimeCode, User, UserKind
from .roles import requires_mfa


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


def recovery_cooldown_key(mobile: str) -> str:
    """The cache key that holds when the last recovery code was asked for `mobile`
    (a time.time()), for OTP_RESEND_SECONDS. Written for every recovery start or
    resend, whether or not the username and mobile match an account."""
    return f"recovery:cooldown:{normalize_mobile(mobile)}"


def recovery_resend_wait(*, mobile: str) -> int:
    """Seconds before another recovery code may be asked for `mobile` (0: now).
    Read from the cooldown every recovery writes, never from the codes actually
    sent, so the code page looks the same for a real pair and a made-up one."""
    asked_at = cache.get(recovery_cooldown_key(mobile))
    if not isinstance(asked_at, int | float):
        return 0
    return max(0, math.ceil(asked_at + settings.OTP_RESEND_SECONDS - time.time()))


def recent_logins(*, user: User, limit: int = 20) -> QuerySet[LoginEvent]:
    return LoginEvent.objects.filter(user=user).order_by("-at")[:limit]


# --- profile ---------------------------------------------------------------------------------

EMAIL_TOKEN_SALT = "accounts.email"  # noqa: S105 — a signing salt, not a secret


PROFILE_ACCESSOR: dict[str, str] = {
    UserKind.NATURAL: "naturalperson",
    UserKind.LEGAL: "legalperson",
}


def profile_of(user: object) -> NaturalPerson | LegalPerson | None:
    """The person profile of a citizen or a company; None for staff, anonymous or
    unsaved users and an account whose profile is missing. Reads the reverse
    one-to-one, so a caller that select_related it pays no query."""
    if not isinstance(user, User) or user.pk is None:
        return None
    accessor = PROFILE_ACCESSOR.get(user.kind)
    if accessor is None:
        return None
    try:
        profile: NaturalPerson | LegalPerson = getattr(user, accessor)
    except ObjectDoesNotExist:
        return None
    return profile


def mfa_setup_pending(user: User) -> bool:
    """A staff role that needs two-factor, and no authenticator app set up yet."""
    return requires_mfa(user) and not (
        Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    )


def holder_national_code(profile: NaturalPerson | LegalPerson) -> str:
    """Whose name the account's mobile must be in (Shahkar): the person's own national
    code, or for a company the national code of its CEO."""
    if isinstance(profile, LegalPerson):
        return profile.ceo_national_code
    return profile.national_code


def email_state(profile: NaturalPerson | LegalPerson) -> str:
    """A short fingerprint of the profile's e-mail as it stands. A confirmation link
    carries the fingerprint of when it was sent, so once any link is used (or the
    e-mail otherwise changes) every older link stops working."""
    verified = profile.email_verified_at.isoformat() if profile.email_verified_at else ""
    state = f"{profile.pk}|{profile.email}|{verified}".encode()
    return hashlib.sha256(state).hexdigest()[:16]


def email_token_check(
    *, user: User, token: str, profile: NaturalPerson | LegalPerson | None = None
) -> str:
    """The new e-mail address a confirmation link is for, if the link is genuine,
    younger than EMAIL_VERIFY_MAX_AGE, for this user and not yet superseded by the
    state of `profile` (default: the user's profile as loaded). Raises
    EmailLinkInvalid, EmailLinkExpired, EmailLinkNotYours, EmailLinkUsed or ProfileMissing."""
    try:
        data = signing.loads(token, salt=EMAIL_TOKEN_SALT, max_age=settings.EMAIL_VERIFY_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise EmailLinkExpired from exc
    except signing.BadSignature as exc:
        raise EmailLinkInvalid from exc
    if not isinstance(data, dict) or not {"user", "email", "state"} <= data.keys():
        raise EmailLinkInvalid
    if data["user"] != user.pk:
        raise EmailLinkNotYours
    profile = profile or profile_of(user)
    if profile is None:
        raise ProfileMissing
    if data["state"] != email_state(profile):
        raise EmailLinkUsed
    return str(data["email"])


def people_in_provinces(
    provinces: Sequence[str] | None,
) -> list[QuerySet[NaturalPerson] | QuerySet[LegalPerson]]:
    """The profiles of the people a crisis notice reaches: every active inbox
    (`provinces` None: everyone), or those whose profile names one of
    `provinces` (a person with no province gets only the notices to everyone).
    One queryset per kind of person, for the caller to select from in SQL
    (`natural_province_idx`, `legal_province_idx`): never read row by row."""
    found: list[QuerySet[NaturalPerson] | QuerySet[LegalPerson]] = []
    for model in (NaturalPerson, LegalPerson):
        rows = model.objects.filter(inbox_status=InboxStatus.ACTIVE)
        if provinces is not None:
            rows = rows.filter(province__in=list(provinces))
        found.append(rows)
    return found


def people_count(provinces: Sequence[str] | None) -> int:
    """How many people `people_in_provinces` selects: one count per kind."""
    return sum(rows.count() for rows in people_in_provinces(provinces))
