"""Registration of an agency by its representative, and the one mover of an
application's status."""

from dataclasses import asdict, dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.constants import OtpPurpose
from accounts.models import User
from accounts.services import otp_send, otp_verify
from payam import ratelimit, tracking
from payam.audit import audit_record
from payam.inquiry import BirthDateMismatch, IdentityNotFound, get_backend
from payam.jalali import format_date
from payam.phone import normalize_mobile
from payam.text import email_at_domain, normalize_name
from sms.constants import SYSTEM_SENDER, SmsKind
from sms.services import sms_queue

from ..constants import APPLICATION_TRANSITIONS, OPEN_STATUSES, ApplicationStatus
from ..exceptions import (
    AgencyAlreadyRegistered,
    ApplicationAlreadyOpen,
    EmailOutsideDomain,
    InvalidTransition,
    LookupLimitReached,
    MobileNotRepresentatives,
    NotEditable,
    RepresentativeMismatch,
)
from ..models import Agency, AgencyApplication, ApplicationChange

Actor = AbstractBaseUser | AnonymousUser | None


@dataclass(frozen=True)
class AgencyInfo:
    """The first step: the agency as its representative describes it."""

    name: str
    kind: str
    parent_body: str
    national_id: str
    province: str
    city: str
    address: str
    phone: str
    website: str
    email_domain: str

    def to_session(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_session(cls, data: object) -> "AgencyInfo":
        if not isinstance(data, dict):
            raise TypeError("no agency step in the session")
        return cls(**{field: str(data[field]) for field in cls.__dataclass_fields__})


@dataclass(frozen=True)
class RepresentativeInfo:
    """The second step: «اطلاعات نماینده دستگاه»."""

    national_code: str
    birth_date: date
    first_name: str
    last_name: str
    position: str
    mobile: str
    email: str

    def to_session(self) -> dict[str, str]:
        return {**asdict(self), "birth_date": self.birth_date.isoformat()}

    @classmethod
    def from_session(cls, data: object) -> "RepresentativeInfo":
        if not isinstance(data, dict):
            raise TypeError("no representative step in the session")
        values = {field: str(data[field]) for field in cls.__dataclass_fields__}
        return cls(**{**values, "birth_date": date.fromisoformat(values["birth_date"])})  # type: ignore[arg-type]


# --- rules ------------------------------------------------------------------------------------


def ensure_email_at_domain(*, email: str, domain: str) -> None:
    """The representative's e-mail is at the agency's official domain (or one of
    its subdomains: mail.mimt.gov.ir for mimt.gov.ir)."""
    if not email_at_domain(email, domain):
        raise EmailOutsideDomain(domain.lower())


def ensure_national_id_free(*, national_id: str, exclude_pk: int | None = None) -> None:
    """One agency national ID has at most one agency and one open application:
    the second attempt is told where the first stands (not its code, not who)."""
    if Agency.objects.filter(national_id=national_id).exists():
        raise AgencyAlreadyRegistered
    open_ones = AgencyApplication.objects.filter(national_id=national_id, status__in=OPEN_STATUSES)
    if exclude_pk is not None:
        open_ones = open_ones.exclude(pk=exclude_pk)
    open_one = open_ones.order_by("pk").first()
    if open_one is not None:
        since = open_one.changes.order_by("-at", "-pk").values_list("at", flat=True).first()
        raise ApplicationAlreadyOpen(
            open_one.status, format_date(since or open_one.submitted_at or open_one.created_at)
        )


def _count_lookup(*, ip: str | None, targets: list[str]) -> None:
    """Registry inquiries cost money and answer questions: count them per address
    (an hour) and per national code / ID (a day) before asking."""
    checks = [
        (f"agency-register:ip:{ip or 'unknown'}", settings.REGISTRATION_MAX_PER_IP_PER_HOUR, 3600)
    ]
    checks += [
        (f"agency-register:{target}", settings.REGISTRATION_MAX_PER_TARGET_PER_DAY, 86400)
        for target in targets
    ]
    for key, limit, window in checks:
        verdict = ratelimit.hit(key=key, limit=limit, window_seconds=window)
        if not verdict.allowed:
            raise LookupLimitReached(verdict.retry_after)


# --- the one mover ----------------------------------------------------------------------------


def application_transition(
    *,
    actor: Actor,
    application: AgencyApplication,
    to: str,
    reason: str = "",
    deficiencies: list[str] | None = None,
    notify: str = "",
) -> AgencyApplication:
    """Move a locked application (select_for_update by the caller, in its
    transaction) along APPLICATION_TRANSITIONS: the history row, the audit row
    and, when `notify` is given, the SMS to the representative (queued in this
    transaction, sent after it commits). InvalidTransition otherwise."""
    to = ApplicationStatus(to)
    current = application.status
    if to not in APPLICATION_TRANSITIONS[current]:
        raise InvalidTransition(current, to)
    now = timezone.now()
    updated = AgencyApplication.objects.filter(pk=application.pk, status=current).update(
        status=to,
        deficiencies=list(deficiencies or []) if to == ApplicationStatus.RETURNED else [],
        submitted_at=now if to == ApplicationStatus.PENDING else application.submitted_at,
        decided_at=now
        if to in (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED)
        else application.decided_at,
    )
    if not updated:  # moved by someone else since it was read
        raise InvalidTransition(current, to)
    application.refresh_from_db()
    change = ApplicationChange.objects.create(
        application=application,
        from_status=current,
        to_status=to,
        actor=actor if isinstance(actor, User) else None,
        reason=reason,
        deficiencies=list(deficiencies or []),
        at=now,
    )
    audit_record(
        actor=actor,
        action=f"agency_application.{to}",
        target=application,
        data={"from": current, "to": to, "reason": reason, "deficiencies": deficiencies or []},
    )
    if notify:
        sms_queue(
            sender=SYSTEM_SENDER,
            to=application.rep_mobile,
            body=notify,
            kind=SmsKind.NOTIFICATION,
            idempotency_key=f"agency-application:{application.pk}:{change.pk}",
        )
    return application


# --- registration -----------------------------------------------------------------------------


def application_start(
    *, agency: AgencyInfo, representative: RepresentativeInfo, ip: str | None
) -> AgencyApplication:
    """After the terms and the captcha: the rules again (a national ID taken since
    the first step, the e-mail's domain), then the civil registry (the living
    representative as typed) and Shahkar (the mobile is theirs), counted first.
    Stores the application as a draft with the registries' answers and sends a
    code to the mobile. Nothing is stored when anything is refused."""
    mobile = normalize_mobile(representative.mobile)
    ensure_email_at_domain(email=representative.email, domain=agency.email_domain)
    ensure_national_id_free(national_id=agency.national_id)
    _count_lookup(
        ip=ip,
        targets=[f"agency:{agency.national_id}", f"person:{representative.national_code}"],
    )
    backend = get_backend()
    try:
        identity = backend.civil_identity(
            national_code=representative.national_code, birth_date=representative.birth_date
        )
    except (IdentityNotFound, BirthDateMismatch) as exc:
        raise RepresentativeMismatch from exc
    typed = (normalize_name(representative.first_name), normalize_name(representative.last_name))
    if not identity.is_alive or typed != (identity.first_name, identity.last_name):
        raise RepresentativeMismatch
    if not backend.shahkar_matches(national_code=representative.national_code, mobile=mobile):
        raise MobileNotRepresentatives
    now = timezone.now()
    with transaction.atomic():
        application = AgencyApplication.objects.create(
            tracking_code=tracking.issue(kind=tracking.TrackingKind.AGENCY_REGISTRATION),
            status=ApplicationStatus.DRAFT,
            **agency.to_session(),
            rep_national_code=representative.national_code,
            rep_birth_date=representative.birth_date,
            rep_first_name=identity.first_name,
            rep_last_name=identity.last_name,
            rep_position=normalize_name(representative.position),
            rep_mobile=mobile,
            rep_email=representative.email,
            terms_accepted_at=now,
            shahkar_matched=True,
            civil_identity={
                "national_code": identity.national_code,
                "first_name": identity.first_name,
                "last_name": identity.last_name,
                "father_name": identity.father_name,
                "birth_date": identity.birth_date.isoformat(),
                "gender": identity.gender,
                "is_alive": identity.is_alive,
            },
            inquired_at=now,
            created_at=now,
        )
        audit_record(
            actor=None,
            action="agency_application.draft",
            target=application,
            data={"national_id": agency.national_id},
        )
        otp_send(purpose=OtpPurpose.AGENCY_REGISTRATION, mobile=mobile, ip=ip)
    return application


def application_submit(*, application_id: int, code: str) -> AgencyApplication:
    """The code sent to the representative's mobile files the draft: it is now
    pending, with its tracking code. Raises the OTP's refusals (wrong, expired,
    too many tries), ApplicationAlreadyOpen / AgencyAlreadyRegistered if another
    application for the same national ID was filed meanwhile."""
    application = AgencyApplication.objects.get(pk=application_id)
    if application.status != ApplicationStatus.DRAFT:
        raise InvalidTransition(application.status, ApplicationStatus.PENDING)
    otp_verify(purpose=OtpPurpose.AGENCY_REGISTRATION, mobile=application.rep_mobile, code=code)
    try:
        with transaction.atomic():
            application = AgencyApplication.objects.select_for_update().get(pk=application_id)
            ensure_national_id_free(national_id=application.national_id, exclude_pk=application.pk)
            return application_transition(
                actor=None,
                application=application,
                to=ApplicationStatus.PENDING,
                notify=_submitted_text(application),
            )
    except IntegrityError as exc:  # filed a moment ago by a concurrent request
        raise ApplicationAlreadyOpen(
            ApplicationStatus.PENDING, format_date(timezone.now())
        ) from exc


def _submitted_text(application: AgencyApplication) -> str:
    return _(
        "پیام ایران\nدرخواست ثبت «%(name)s» با کد رهگیری %(code)s ثبت شد و پس از بررسی "
        "کارشناس، در صورت تأیید با شما تماس گرفته می‌شود."
    ) % {"name": application.name, "code": application.tracking_code}


# --- fixes after a return ---------------------------------------------------------------------


def application_fix_start(*, application: AgencyApplication, ip: str | None) -> None:
    """The representative asks to fix a returned application: a code goes to the
    mobile the application was filed with (proving it is them)."""
    if application.status != ApplicationStatus.RETURNED:
        raise NotEditable
    otp_send(purpose=OtpPurpose.AGENCY_REGISTRATION, mobile=application.rep_mobile, ip=ip)


def application_fix_verify(*, application: AgencyApplication, code: str) -> None:
    if application.status != ApplicationStatus.RETURNED:
        raise NotEditable
    otp_verify(purpose=OtpPurpose.AGENCY_REGISTRATION, mobile=application.rep_mobile, code=code)


EDITABLE_FIELDS = (
    "name",
    "kind",
    "parent_body",
    "province",
    "city",
    "address",
    "phone",
    "website",
    "email_domain",
    "rep_position",
    "rep_email",
)


def application_resubmit(
    *, application_id: int, changes: dict[str, str], note: str = ""
) -> AgencyApplication:
    """The representative's fixes to a returned application (proven by a code to
    the filed mobile), filed again: pending once more, the history keeps the
    return and this answer. NotEditable once it is no longer returned (approved,
    rejected, or already filed again); the national ID, the representative's
    identity and mobile are not editable (they were checked with the registries)."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    with transaction.atomic():
        application = AgencyApplication.objects.select_for_update().get(pk=application_id)
        if application.status != ApplicationStatus.RETURNED:
            raise NotEditable
        ensure_email_at_domain(
            email=changes.get("rep_email", application.rep_email),
            domain=changes.get("email_domain", application.email_domain),
        )
        before = {field: getattr(application, field) for field in changes}
        for field, value in changes.items():
            setattr(application, field, value)
        application.full_clean(exclude=["tracking_code"], validate_constraints=False)
        application.save(update_fields=list(changes))
        edited = sorted(f for f in changes if before[f] != changes[f])
        audit_record(
            actor=None,
            action="agency_application.edit",
            target=application,
            data={"fields": edited},
        )
        return application_transition(
            actor=None,
            application=application,
            to=ApplicationStatus.PENDING,
            reason=note,
            notify=_submitted_text(application),
        )
