"""تفویض دسترسی: a person's written request that lets one office view (and
perhaps print) their letters. A clerk records it with the scanned request; the
person confirms it with a code sent to their own mobile, so no clerk can make
one alone; the person revokes it online at any time."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.constants import InboxStatus, OtpPurpose
from accounts.models import NaturalPerson, Role, RoleGrant, User
from accounts.services import otp_send, otp_verify
from mailbox.content import check_attachment
from mailbox.models import Mailbox
from mailbox.services import mailbox_for_user
from payam.audit import audit_record
from payam.jalali import persian_date_long
from sms.constants import SYSTEM_SENDER, SmsKind
from sms.services import sms_queue

from ..constants import (
    DELEGATION_MAX_CODES,
    DELEGATION_MAX_DAYS,
    DELEGATION_TRANSITIONS,
    DelegationLetters,
    DelegationScope,
    DelegationStatus,
    OfficeEventKind,
)
from ..exceptions import (
    BadExpiry,
    BadLetterChoice,
    ClerkIsPerson,
    DelegationNotPending,
    NoActiveInbox,
    OwnAccount,
    TransitionNotAllowed,
)
from ..models import BrokerOffice, Delegation
from .common import Actor, acting_office, count_lookup, event_record


@dataclass(frozen=True)
class LetterChoice:
    letters: DelegationLetters
    agencies: tuple[Mailbox, ...] = ()
    tracking_codes: tuple[str, ...] = ()


def _is_clerk_of(user: User, office: BrokerOffice) -> bool:
    return RoleGrant.objects.filter(
        user=user,
        role__in=[Role.BROKER_CLERK, Role.BROKER_MANAGER],
        organization_type__app_label="brokers",
        organization_type__model="brokeroffice",
        organization_id=office.pk,
        revoked_at__isnull=True,
    ).exists()


def _expiry(expires_on: date) -> datetime:
    today = timezone.localdate()
    if not today < expires_on <= today + timedelta(days=DELEGATION_MAX_DAYS):
        raise BadExpiry
    # The whole last day counts: it ends at midnight, Tehran time.
    return datetime.combine(
        expires_on + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone()
    )


def _check_letters(choice: LetterChoice) -> None:
    if choice.letters == DelegationLetters.AGENCIES and not choice.agencies:
        raise BadLetterChoice(_("دست‌کم یک دستگاه را برگزینید."))
    if choice.letters == DelegationLetters.CODES:
        if not choice.tracking_codes:
            raise BadLetterChoice(_("دست‌کم یک کد رهگیری بنویسید."))
        if len(choice.tracking_codes) > DELEGATION_MAX_CODES:
            raise BadLetterChoice(_("حداکثر ۵۰ کد رهگیری پذیرفته می‌شود."))


def delegation_start(
    *,
    actor: Actor,
    national_code: str,
    scope: DelegationScope | str,
    choice: LetterChoice,
    expires_on: date,
    scan: UploadedFile,
) -> Delegation:
    """Record the person's written request (the scan is checked by content with
    the mailbox's attachment rules) and send the person's own mobile a code. The
    delegation stays pending until the code is read out (delegation_confirm).
    The person must have an active inbox and must not be a clerk of the office;
    the clerk never records one for themself."""
    office = acting_office(actor)
    assert isinstance(actor, User)  # noqa: S101 — acting_office checked it
    scope = DelegationScope(scope)
    count_lookup(actor=actor, office=office, national_code=national_code, purpose="delegation")
    if actor.username == national_code:
        raise OwnAccount
    expires_at = _expiry(expires_on)
    _check_letters(choice)
    checked = check_attachment(scan)
    profile = (
        NaturalPerson.objects.filter(national_code=national_code).select_related("user").first()
    )
    if profile is None or profile.inbox_status != InboxStatus.ACTIVE:
        raise NoActiveInbox
    owner = profile.user
    if owner.pk == actor.pk:
        raise OwnAccount
    if _is_clerk_of(owner, office):
        raise ClerkIsPerson
    delegation = Delegation(
        office=office,
        owner=owner,
        mailbox=mailbox_for_user(user=owner),
        scope=scope,
        letters=choice.letters,
        tracking_codes=list(choice.tracking_codes)
        if choice.letters == DelegationLetters.CODES
        else [],
        expires_at=expires_at,
        scan_content_type=checked.content_type,
        scan_sha256=checked.sha256,
        created_by=actor,
    )
    delegation.scan.save(checked.original_name or "scan", scan, save=False)
    try:
        with transaction.atomic():
            delegation.save()
            if choice.letters == DelegationLetters.AGENCIES:
                delegation.agencies.set(choice.agencies)
            audit_record(
                actor=actor,
                action="delegation.record",
                target=delegation,
                acting_for=owner,
                data={
                    "office": office.code,
                    "scope": scope,
                    "letters": choice.letters,
                    "expires_at": expires_at.isoformat(),
                    "scan_sha256": checked.sha256,
                },
            )
            # In the same transaction: a code that cannot be sent (the mobile's
            # limits) leaves no pending request behind. Not counted per address
            # (an office sends every code from one); look-ups are counted per clerk.
            otp_send(purpose=OtpPurpose.DELEGATION, mobile=profile.mobile, ip=None)
    except BaseException:
        delegation.scan.storage.delete(delegation.scan.name)
        raise
    return delegation


def delegation_resend_code(*, actor: Actor, delegation: Delegation) -> None:
    office = acting_office(actor)
    if delegation.office_id != office.pk or delegation.status != DelegationStatus.PENDING:
        raise DelegationNotPending
    profile = NaturalPerson.objects.get(user=delegation.owner)
    otp_send(purpose=OtpPurpose.DELEGATION, mobile=profile.mobile, ip=None)


def _move(
    *, actor: User, delegation: Delegation, to: DelegationStatus, data: dict[str, object]
) -> Delegation:
    with transaction.atomic():
        locked = Delegation.objects.select_for_update().get(pk=delegation.pk)
        if to not in DELEGATION_TRANSITIONS[DelegationStatus(locked.status)]:
            raise TransitionNotAllowed
        previous = locked.status
        now = timezone.now()
        locked.status = to
        fields = ["status"]
        if to == DelegationStatus.ACTIVE:
            locked.confirmed_at = now
            fields.append("confirmed_at")
        else:
            locked.ended_at, locked.ended_by = now, actor
            fields += ["ended_at", "ended_by"]
        locked.save(update_fields=fields)
        audit_record(
            actor=actor,
            action=f"delegation.{to}",
            target=locked,
            acting_for=locked.owner if actor.pk != locked.owner_id else None,
            data={"from": previous, "to": to, **data},
        )
    return locked


def delegation_confirm(*, actor: Actor, delegation: Delegation, code: str) -> Delegation:
    """The person read out the code sent to their own mobile: the delegation is
    live. The person is told by SMS which office may now see their letters."""
    office = acting_office(actor)
    assert isinstance(actor, User)  # noqa: S101
    if delegation.office_id != office.pk or delegation.status != DelegationStatus.PENDING:
        raise DelegationNotPending
    profile = NaturalPerson.objects.get(user=delegation.owner)
    otp_verify(purpose=OtpPurpose.DELEGATION, mobile=profile.mobile, code=code)
    with transaction.atomic():
        confirmed = _move(actor=actor, delegation=delegation, to=DelegationStatus.ACTIVE, data={})
        event_record(
            office=office,
            clerk=actor,
            kind=OfficeEventKind.DELEGATION,
            delegation=confirmed,
            person=confirmed.owner,
        )
        sms_queue(
            sender=SYSTEM_SENDER,
            to=profile.mobile,
            body=_(
                "پیام ایران\nبه %(office)s تا %(date)s تفویض دسترسی به نامه‌هایتان دادید. "
                "لغو در «تفویض دسترسی به دفاتر پیشخوان» در حساب کاربری شما."
            )
            % {
                "office": office.label,
                "date": persian_date_long(
                    timezone.localdate(confirmed.expires_at - timedelta(seconds=1))
                ),
            },
            kind=SmsKind.NOTIFICATION,
            idempotency_key=f"delegation-confirmed:{confirmed.pk}",
        )
    return confirmed


def delegation_abandon(*, actor: Actor, delegation: Delegation) -> Delegation:
    """The clerk drops a request the person did not confirm."""
    office = acting_office(actor)
    assert isinstance(actor, User)  # noqa: S101
    if delegation.office_id != office.pk:
        raise PermissionDenied
    return _move(actor=actor, delegation=delegation, to=DelegationStatus.ABANDONED, data={})


def delegation_revoke(*, actor: Actor, delegation: Delegation) -> Delegation:
    """The person ends a delegation at once, online; the office's next request
    is refused."""
    if not isinstance(actor, User) or actor.pk != delegation.owner_id:
        raise PermissionDenied
    return _move(actor=actor, delegation=delegation, to=DelegationStatus.REVOKED, data={})
