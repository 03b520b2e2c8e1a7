"""In-person activation at the counter: the civil registry's answer beside the
ID card, a checklist, Shahkar for the mobile, a code read out at the counter,
and the inbox activated through accounts.services.inbox_status_change (so it is
audited on the person's behalf). A person with no account is registered here."""

import secrets
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.constants import InboxStatus, OtpPurpose
from accounts.events import person_registered
from accounts.models import NaturalPerson, User, UserKind
from accounts.services import inbox_status_change, otp_send, otp_verify, province_set
from payam.audit import audit_record
from payam.constants import Province
from payam.inquiry import BirthDateMismatch, IdentityNotFound, get_backend
from payam.jalali import persian_date_long
from payam.phone import normalize_mobile
from payam.text import normalize_text
from sms.constants import SYSTEM_SENDER, SmsKind
from sms.services import sms_queue

from ..constants import OfficeEventKind
from ..exceptions import (
    AlreadyActive,
    ChecklistIncomplete,
    IdentityNotConfirmed,
    InboxSuspended,
    MobileNotPersons,
    OwnAccount,
    SessionExpired,
)
from ..models import BrokerOffice
from .common import Actor, acting_office, count_lookup, event_record

ACTIVATION_TTL = timedelta(minutes=20)
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105


def province_of_office(office: BrokerOffice) -> str:
    """The Province of an office whose free-text province is one's Persian name
    («تهران», «استان تهران»), "" when it matches none."""
    wanted = normalize_text(office.province or "").removeprefix("استان").strip()
    with translation.override("fa"):
        for value, label in Province.choices:
            if normalize_text(str(label)) == wanted:
                return str(value)
    return ""


@dataclass(frozen=True)
class PendingActivation:
    """What the registry confirmed, kept in the clerk's session between steps."""

    office_id: int
    clerk_id: int
    national_code: str
    birth_date: str  # ISO
    first_name: str
    last_name: str
    father_name: str
    gender: str
    has_account: bool
    account_mobile: str
    started_at: str  # ISO
    mobile: str = ""  # set once Shahkar confirmed it and the code went out

    def to_session(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_session(
        cls, data: object, *, actor: Actor, office: BrokerOffice
    ) -> "PendingActivation":
        if not isinstance(data, dict):
            raise SessionExpired
        try:
            pending = cls(**data)
            started = datetime.fromisoformat(pending.started_at)
        except (TypeError, ValueError) as exc:
            raise SessionExpired from exc
        if (
            pending.clerk_id != actor.pk
            or pending.office_id != office.pk
            or timezone.now() - started > ACTIVATION_TTL
        ):
            raise SessionExpired
        return pending

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def born(self) -> date:
        return date.fromisoformat(self.birth_date)


def activation_lookup(*, actor: Actor, national_code: str, birth_date: date) -> PendingActivation:
    """Count and audit the look-up, refuse the clerk's own code, then ask the
    civil registry. Any answer but a living person with this birth date is
    IdentityNotConfirmed, whatever differed. An inbox already active or
    suspended is said so: the person stands at the counter with their ID."""
    office = acting_office(actor)
    assert isinstance(actor, User)  # noqa: S101 — acting_office checked it
    count_lookup(actor=actor, office=office, national_code=national_code, purpose="activation")
    if actor.username == national_code:
        raise OwnAccount
    try:
        identity = get_backend().civil_identity(national_code=national_code, birth_date=birth_date)
    except (IdentityNotFound, BirthDateMismatch) as exc:
        raise IdentityNotConfirmed from exc
    if not identity.is_alive:
        raise IdentityNotConfirmed
    profile = NaturalPerson.objects.filter(national_code=national_code).first()
    if profile is not None:
        if profile.user_id == actor.pk:
            raise OwnAccount
        if profile.inbox_status == InboxStatus.ACTIVE:
            raise AlreadyActive
        if profile.inbox_status == InboxStatus.SUSPENDED:
            raise InboxSuspended
    elif User.objects.filter(username=national_code).exists():
        # A staff account under this national code (a clerk elsewhere) has no inbox to activate.
        raise IdentityNotConfirmed
    return PendingActivation(
        office_id=office.pk,
        clerk_id=actor.pk,
        national_code=national_code,
        birth_date=birth_date.isoformat(),
        first_name=identity.first_name,
        last_name=identity.last_name,
        father_name=identity.father_name,
        gender=identity.gender,
        has_account=profile is not None,
        account_mobile=profile.mobile if profile is not None else "",
        started_at=timezone.now().isoformat(),
    )


def activation_send_code(
    *,
    actor: Actor,
    pending: PendingActivation,
    checklist_done: bool,
    mobile: str,
) -> PendingActivation:
    """With every item of the checklist ticked, Shahkar confirms the mobile is the
    person's (for a person with an account, the account's verified mobile), and a
    code goes to it for the person to read out."""
    office = acting_office(actor)
    pending = PendingActivation.from_session(pending.to_session(), actor=actor, office=office)
    if not checklist_done:
        raise ChecklistIncomplete
    mobile = pending.account_mobile or normalize_mobile(mobile)
    if not get_backend().shahkar_matches(national_code=pending.national_code, mobile=mobile):
        raise MobileNotPersons
    # Not counted per address: an office sends every code from one; its clerks'
    # look-ups are counted instead (count_lookup), and the mobile's own limits hold.
    otp_send(purpose=OtpPurpose.IN_PERSON, mobile=mobile, ip=None)
    audit_record(
        actor=actor,
        action="broker.activation_code",
        target=office,
        data={"national_code": pending.national_code},
    )
    return replace(pending, mobile=mobile)


def _one_time_password() -> str:
    return "-".join("".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(4)) for _ in range(3))


def _walk_in(*, actor: User, office: BrokerOffice, pending: PendingActivation) -> NaturalPerson:
    """Register a person who has no account: the registry's identity, the proven
    mobile, and a one-time password by SMS (changed at first sign-in)."""
    password = _one_time_password()
    user = User(
        username=pending.national_code,
        kind=UserKind.NATURAL,
        first_name=pending.first_name,
        last_name=pending.last_name,
        must_change_password=True,
    )
    user.set_password(password)
    user.save()
    profile = NaturalPerson.objects.create(
        user=user,
        mobile=pending.mobile,
        national_code=pending.national_code,
        first_name=pending.first_name,
        last_name=pending.last_name,
        father_name=pending.father_name,
        birth_date=pending.born,
        gender=pending.gender,
    )
    audit_record(
        actor=actor,
        action="account.register_in_person",
        target=profile,
        acting_for=user,
        data={"office": office.code},
    )
    person_registered.send(sender=User, user=user, profile=profile)
    sms_queue(
        sender=SYSTEM_SENDER,
        to=pending.mobile,
        body=_(
            "پیام ایران\nحساب شما ساخته شد.\nنام کاربری: %(username)s\n"
            "گذرواژه‌ی یک‌بارمصرف: %(password)s\nدر نخستین ورود گذرواژه را عوض کنید."
        )
        % {"username": user.username, "password": password},
        kind=SmsKind.NOTIFICATION,
        idempotency_key=f"walk-in:{user.pk}",
    )
    return profile


def activation_complete(*, actor: Actor, pending: PendingActivation, code: str) -> NaturalPerson:
    """The person read out the code: register them if they have no account,
    activate the inbox, and tell them by SMS which office did it and when."""
    office = acting_office(actor)
    assert isinstance(actor, User)  # noqa: S101 — acting_office checked it
    pending = PendingActivation.from_session(pending.to_session(), actor=actor, office=office)
    if not pending.mobile:
        raise SessionExpired
    otp_verify(purpose=OtpPurpose.IN_PERSON, mobile=pending.mobile, code=code)
    try:
        with transaction.atomic():
            profile = NaturalPerson.objects.filter(national_code=pending.national_code).first()
            if profile is None:
                if pending.has_account:
                    raise SessionExpired
                profile = _walk_in(actor=actor, office=office, pending=pending)
            if profile.user_id == actor.pk:
                raise OwnAccount
            if profile.inbox_status == InboxStatus.ACTIVE:
                raise AlreadyActive
            activated = inbox_status_change(
                actor=actor,
                profile=profile,
                to=InboxStatus.ACTIVE,
                reason=_("احراز حضوری در %(office)s") % {"office": office.label},
            )
            assert isinstance(activated, NaturalPerson)  # noqa: S101
            province = province_of_office(office)
            if province and not activated.province:
                province_set(actor=actor, profile=activated, province=province, source="activation")
                activated.province = province
            event_record(
                office=office,
                clerk=actor,
                kind=OfficeEventKind.ACTIVATION,
                person=activated.user,
            )
            sms_queue(
                sender=SYSTEM_SENDER,
                to=activated.mobile,
                body=_("پیام ایران\nکارپوشه‌ی رسمی شما در %(office)s در تاریخ %(date)s فعال شد.")
                % {"office": office.label, "date": persian_date_long(timezone.localdate())},
                kind=SmsKind.NOTIFICATION,
                idempotency_key=f"activated:{activated.pk}:{timezone.now().timestamp():.0f}",
            )
    except IntegrityError as exc:
        raise SessionExpired from exc
    return activated
