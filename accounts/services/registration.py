"""Registration of natural and legal persons: identity, Shahkar, OTP, password."""

from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from payam import ratelimit
from payam.audit import audit_record
from payam.inquiry import (
    BirthDateMismatch,
    CivilIdentity,
    CompanyNotFound,
    IdentityNotFound,
    get_backend,
)
from payam.phone import normalize_mobile
from payam.text import normalize_name

from ..constants import (
    OtpPurpose,
)
from ..events import person_registered
from ..exceptions import (
    AccountsError,
    AlreadyRegistered,
    CompanyDetailsMismatch,
    CompanyNotActive,
    IdentityMismatch,
    MobileNotCeos,
    MobileNotOwned,
    RegistrationExpired,
    RegistrationLimitReached,
)
from ..models import LegalPerson, NaturalPerson, User, UserKind
from .otp import otp_send, otp_verify

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


def _count_lookup(*, ip: str | None, targets: list[str]) -> None:
    """Count one registration try against the client's address (an hour) and each
    target it asks the registries about (a day: a national code, a company ID).
    Runs before any inquiry: the form is an oracle of birth dates and CEOs, and
    every answer costs a registry inquiry. Raises RegistrationLimitReached."""
    checks = [(f"register:ip:{ip or 'unknown'}", settings.REGISTRATION_MAX_PER_IP_PER_HOUR, 3600)]
    checks += [
        (f"register:{target}", settings.REGISTRATION_MAX_PER_TARGET_PER_DAY, 86400)
        for target in targets
    ]
    for key, limit, window in checks:
        verdict = ratelimit.hit(key=key, limit=limit, window_seconds=window)
        if not verdict.allowed:
            raise RegistrationLimitReached(verdict.retry_after)


def _civil_identity(
    *, national_code: str, birth_date: date, mismatch: type[AccountsError]
) -> CivilIdentity:
    """The living person the civil registry knows by this national code and birth
    date. Any other answer — no such code, another birth date, a deceased person —
    is the one `mismatch` refusal, which does not say which fact differed."""
    try:
        identity = get_backend().civil_identity(national_code=national_code, birth_date=birth_date)
    except (IdentityNotFound, BirthDateMismatch) as exc:
        raise mismatch from exc
    if not identity.is_alive:
        raise mismatch
    return identity


def natural_registration_start(
    *, national_code: str, birth_date: date, mobile: str, ip: str | None
) -> PendingRegistration:
    """Check the person with the civil registry and the mobile with Shahkar, then
    send a code to that mobile. The tries are counted first, per national code and
    per address (RegistrationLimitReached); an identity the registry does not
    confirm is IdentityMismatch, whatever differed. Only then does the person learn
    the Shahkar answer (MobileNotOwned) and whether an account exists
    (AlreadyRegistered). Also InquiryUnavailable or an OTP limit; nothing is stored
    but the code."""
    mobile = normalize_mobile(mobile)
    _count_lookup(ip=ip, targets=[f"person:{national_code}"])
    identity = _civil_identity(
        national_code=national_code, birth_date=birth_date, mismatch=IdentityMismatch
    )
    if not get_backend().shahkar_matches(national_code=national_code, mobile=mobile):
        raise MobileNotOwned
    _ensure_new_username(national_code, UserKind.NATURAL)
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
    """The company registry confirms the company and that this person is its CEO;
    the civil registry confirms the CEO as typed; Shahkar confirms the mobile is
    the CEO's. Then a code goes to that mobile.

    The tries are counted first, per company ID, per CEO national code and per
    address (RegistrationLimitReached). Anything typed about the company or the
    CEO that the registries do not confirm is CompanyDetailsMismatch, whatever
    differed. Only once all of it matched does the person learn that the company
    is not active (CompanyNotActive), the Shahkar answer (MobileNotCeos) and
    whether an account exists (AlreadyRegistered)."""
    mobile = normalize_mobile(mobile)
    _count_lookup(ip=ip, targets=[f"company:{national_id}", f"person:{ceo_national_code}"])
    inquiry = get_backend()
    try:
        company = inquiry.company_record(national_id=national_id)
    except CompanyNotFound as exc:
        raise CompanyDetailsMismatch from exc
    if (
        company.registration_number != registration_number
        or company.ceo_national_code != ceo_national_code
    ):
        raise CompanyDetailsMismatch
    identity = _civil_identity(
        national_code=ceo_national_code, birth_date=ceo_birth_date, mismatch=CompanyDetailsMismatch
    )
    typed = (normalize_name(ceo_first_name), normalize_name(ceo_last_name), ceo_gender)
    if typed != (identity.first_name, identity.last_name, identity.gender):
        raise CompanyDetailsMismatch
    if ceo_father_name and normalize_name(ceo_father_name) != identity.father_name:
        raise CompanyDetailsMismatch
    if company.status != "active":
        raise CompanyNotActive
    if not inquiry.shahkar_matches(national_code=ceo_national_code, mobile=mobile):
        raise MobileNotCeos
    _ensure_new_username(national_id, UserKind.LEGAL)
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
