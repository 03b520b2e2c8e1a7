"""What an ITO expert does with an application: take it (or hand it to another
expert), approve it, reject it with a reason, or send it back listing what to fix.
Every decision names the expert, is audited and tells the representative by SMS."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.roles import is_ito_expert
from accounts.services import role_grant, staff_account_create
from mailbox.services import agency_mailbox_create
from payam.audit import audit_record
from payam.text import normalize_text
from sms.constants import SYSTEM_SENDER, SmsKind
from sms.services import sender_number_register, sms_queue

from ..constants import MAX_DEFICIENCIES, ApplicationStatus
from ..exceptions import EmptyDeficiencies, EmptyReason, InvalidTransition
from ..models import Agency, AgencyApplication
from .applications import application_transition, ensure_national_id_free
from .members import member_username, other_agency_of


def _ensure_expert(actor: AbstractBaseUser) -> None:
    if not is_ito_expert(actor):
        raise PermissionDenied


def _locked(application_id: int) -> AgencyApplication:
    return AgencyApplication.objects.select_for_update().get(pk=application_id)


def application_assign(
    *, actor: AbstractBaseUser, application_id: int, expert: User
) -> AgencyApplication:
    """Put an open application in `expert`'s hands (an expert takes one, or hands
    it to a colleague). Audited; the representative is not told."""
    _ensure_expert(actor)
    if not is_ito_expert(expert):
        raise PermissionDenied
    with transaction.atomic():
        application = _locked(application_id)
        if not application.is_open:
            raise InvalidTransition(application.status, application.status)
        previous = application.assigned_to_id
        application.assigned_to = expert
        application.assigned_at = timezone.now()
        application.save(update_fields=["assigned_to", "assigned_at"])
        audit_record(
            actor=actor,
            action="agency_application.assign",
            target=application,
            data={"to": expert.pk, "from": previous},
        )
    return application


def application_reject(
    *, actor: AbstractBaseUser, application_id: int, reason: str
) -> AgencyApplication:
    _ensure_expert(actor)
    reason = normalize_text(reason).strip()
    if not reason:
        raise EmptyReason
    with transaction.atomic():
        application = _locked(application_id)
        return application_transition(
            actor=actor,
            application=application,
            to=ApplicationStatus.REJECTED,
            reason=reason,
            notify=_(
                "پیام ایران\nدرخواست ثبت «%(name)s» (کد رهگیری %(code)s) رد شد.\nدلیل: %(reason)s"
            )
            % {"name": application.name, "code": application.tracking_code, "reason": reason},
        )


def clean_deficiencies(lines: list[str]) -> list[str]:
    """One deficiency a line, trimmed, blank lines and repeats dropped; at most
    MAX_DEFICIENCIES. EmptyDeficiencies when none is left."""
    seen: list[str] = []
    for line in lines:
        item = normalize_text(line).strip(" -•\t")
        if item and item not in seen:
            seen.append(item[:300])
    if not seen:
        raise EmptyDeficiencies
    return seen[:MAX_DEFICIENCIES]


def application_return(
    *, actor: AbstractBaseUser, application_id: int, deficiencies: list[str]
) -> AgencyApplication:
    """Back to the representative with the list of what to fix; they edit and file
    again through the tracking code and a code to their mobile."""
    _ensure_expert(actor)
    items = clean_deficiencies(deficiencies)
    with transaction.atomic():
        application = _locked(application_id)
        return application_transition(
            actor=actor,
            application=application,
            to=ApplicationStatus.RETURNED,
            deficiencies=items,
            notify=_(
                "پیام ایران\nدرخواست ثبت «%(name)s» (کد رهگیری %(code)s) برای رفع نقص "
                "بازگشت. نقص‌ها را در صفحه‌ی پیگیری درخواست ببینید و پس از اصلاح دوباره ثبت کنید."
            )
            % {"name": application.name, "code": application.tracking_code},
        )


@dataclass(frozen=True)
class Approval:
    agency: Agency
    admin: User
    new_account: bool


def application_approve(
    *, actor: AbstractBaseUser, application_id: int, sender_number: str, mask: str = ""
) -> Approval:
    """Approve a pending application: the agency, its mailbox (open to people's
    letters), its sender under 4040 (`sender_number`, picked by the expert and
    checked by the sender rules: SenderNumberRefused / SenderNumberTaken) and the
    representative's agency-admin account. A new account gets its username and a
    one-time password by SMS and must change the password and set up two-factor
    at the first sign-in (accounts: must_change_password, MFA_ROLES). All of it in
    one transaction: any refusal leaves nothing behind."""
    _ensure_expert(actor)
    with transaction.atomic():
        application = _locked(application_id)
        if application.status != ApplicationStatus.PENDING:
            raise InvalidTransition(application.status, ApplicationStatus.APPROVED)
        ensure_national_id_free(national_id=application.national_id, exclude_pk=application.pk)
        sender = sender_number_register(
            actor=actor, number=sender_number, owner_label=application.name, mask=mask or None
        )
        mailbox = agency_mailbox_create(actor=actor, name=application.name)
        agency = Agency.objects.create(
            name=application.name,
            kind=application.kind,
            parent_body=application.parent_body,
            national_id=application.national_id,
            province=application.province,
            city=application.city,
            address=application.address,
            phone=application.phone,
            website=application.website,
            email_domain=application.email_domain,
            mailbox=mailbox,
            sender=sender,
        )
        audit_record(
            actor=actor,
            action="agency.create",
            target=agency,
            data={"application": application.pk, "sender": sender.number},
        )
        application.agency = agency
        application.save(update_fields=["agency"])
        admin, new_account = _admin_account(actor=actor, application=application, agency=agency)
        application_transition(
            actor=actor,
            application=application,
            to=ApplicationStatus.APPROVED,
            notify=_(
                "پیام ایران\nدرخواست ثبت «%(name)s» (کد رهگیری %(code)s) تأیید شد. "
                "سرشماره‌ی دستگاه: %(sender)s. نام کاربری و گذرواژه‌ی موقت مدیر دستگاه "
                "جداگانه پیامک می‌شود."
            )
            % {
                "name": application.name,
                "code": application.tracking_code,
                "sender": sender.number,
            },
        )
    return Approval(agency=agency, admin=admin, new_account=new_account)


def _admin_account(
    *, actor: AbstractBaseUser, application: AgencyApplication, agency: Agency
) -> tuple[User, bool]:
    """The representative's staff account, made with the agency-admin role (a
    username and one-time password by SMS), or, if they have one already (a
    member of an agency before), given the role and told by SMS."""
    username = member_username(application.rep_national_code)
    existing = User.objects.filter(username=username).first()
    if existing is None:
        user = staff_account_create(
            actor=actor,
            username=username,
            first_name=application.rep_first_name,
            last_name=application.rep_last_name,
            mobile=application.rep_mobile,
            role=Role.AGENCY_ADMIN,
            organization=agency,
        )
        return user, True
    other_agency_of(existing, agency=agency, refuse=True)
    role_grant(actor=actor, user=existing, role=Role.AGENCY_ADMIN, organization=agency)
    sms_queue(
        sender=SYSTEM_SENDER,
        to=application.rep_mobile,
        body=_(
            "پیام ایران\nحساب %(username)s اکنون مدیر «%(name)s» است؛ با همان نام کاربری و "
            "گذرواژه وارد شوید."
        )
        % {"username": username, "name": agency.name},
        kind=SmsKind.NOTIFICATION,
        idempotency_key=f"agency-admin:{agency.pk}:{existing.pk}",
    )
    return existing, False


def agency_set_api_limit(
    *, actor: AbstractBaseUser, agency: Agency, per_minute: int | None
) -> Agency:
    """An ITO expert sets how many API requests a minute each key of `agency`
    may make (None: the portal's default, API_REQUESTS_PER_MINUTE)."""
    if not is_ito_expert(actor):
        raise PermissionDenied
    with transaction.atomic():
        locked = Agency.objects.select_for_update().get(pk=agency.pk)
        before = locked.api_requests_per_minute
        locked.api_requests_per_minute = per_minute
        locked.save(update_fields=["api_requests_per_minute"])
        audit_record(
            actor=actor,
            action="agency.api_limit_set",
            target=locked,
            data={"from": before, "to": per_minute},
        )
    return locked
