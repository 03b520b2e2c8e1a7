"""An agency's members: accounts with a live agency role (accounts.RoleGrant of
Role.AGENCY_ADMIN / AGENCY_SENDER / AGENCY_READER for this agency). The agency's
admins add them by national code and revoke them; every change audited."""

from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Role, RoleGrant, User
from accounts.roles import AGENCY_ROLES, may_grant
from accounts.services import role_grant, role_revoke, staff_account_create
from payam import ratelimit
from payam.audit import audit_record
from payam.inquiry import BirthDateMismatch, IdentityNotFound, get_backend
from payam.phone import normalize_mobile
from sms.constants import SYSTEM_SENDER, SmsKind
from sms.services import sms_queue

from ..constants import MEMBER_USERNAME_PREFIX
from ..exceptions import (
    AlreadyMember,
    LastAdmin,
    LookupLimitReached,
    MemberIdentityMismatch,
    MemberOfAnotherAgency,
)
from ..models import Agency
from ..selectors import agency_grants

# Registry inquiries an agency admin may make an hour (the form is an oracle).
MEMBER_LOOKUPS_PER_HOUR = 30


def member_username(national_code: str) -> str:
    """The staff username of an agency member: one account per person, whatever
    agency they join, apart from their own citizen account (the national code)."""
    return f"{MEMBER_USERNAME_PREFIX}{national_code}"


def other_agency_of(user: User, *, agency: Agency, refuse: bool = False) -> bool:
    """Whether `user` has a live role in another agency (MemberOfAnotherAgency
    when `refuse`): an account belongs to one agency."""
    other = (
        RoleGrant.objects.filter(user=user, role__in=AGENCY_ROLES, revoked_at__isnull=True)
        .exclude(
            organization_type=ContentType.objects.get_for_model(Agency), organization_id=agency.pk
        )
        .exists()
    )
    if other and refuse:
        raise MemberOfAnotherAgency
    return other


def member_add(
    *,
    actor: AbstractBaseUser,
    agency: Agency,
    national_code: str,
    birth_date: date,
    mobile: str,
    role: Role | str,
) -> RoleGrant:
    """Add a member with `role` (admin, sender or reader). The civil registry
    confirms the living person and Shahkar that the mobile is theirs (one refusal,
    MemberIdentityMismatch, that does not say which fact differed). Someone without
    a staff account gets one (username and one-time password by SMS, a forced
    password change at the first sign-in); someone with one is told by SMS."""
    role = Role(role)
    if role not in AGENCY_ROLES or not may_grant(actor, role=role, organization=agency):
        raise PermissionDenied
    mobile = normalize_mobile(mobile)
    verdict = ratelimit.hit(
        key=f"agency-member:{actor.pk}", limit=MEMBER_LOOKUPS_PER_HOUR, window_seconds=3600
    )
    if not verdict.allowed:
        raise LookupLimitReached(verdict.retry_after)
    username = member_username(national_code)
    existing = User.objects.filter(username=username).first()
    if existing is not None:
        if agency_grants(agency).filter(user=existing, revoked_at__isnull=True).exists():
            raise AlreadyMember
        other_agency_of(existing, agency=agency, refuse=True)
    backend = get_backend()
    try:
        identity = backend.civil_identity(national_code=national_code, birth_date=birth_date)
    except (IdentityNotFound, BirthDateMismatch) as exc:
        raise MemberIdentityMismatch from exc
    if not identity.is_alive or not backend.shahkar_matches(
        national_code=national_code, mobile=mobile
    ):
        raise MemberIdentityMismatch
    with transaction.atomic():
        if existing is None:
            user = staff_account_create(
                actor=actor,
                username=username,
                first_name=identity.first_name,
                last_name=identity.last_name,
                mobile=mobile,
                role=role,
                organization=agency,
            )
            grant = agency_grants(agency).get(user=user, revoked_at__isnull=True)
        else:
            user = existing
            grant = role_grant(actor=actor, user=user, role=role, organization=agency)
            sms_queue(
                sender=SYSTEM_SENDER,
                to=mobile,
                body=_(
                    "پیام ایران\nحساب %(username)s به «%(agency)s» با نقش %(role)s افزوده شد؛ "
                    "با همان نام کاربری و گذرواژه وارد شوید."
                )
                % {"username": username, "agency": agency.name, "role": role.label},
                kind=SmsKind.NOTIFICATION,
                idempotency_key=f"agency-member:{grant.pk}",
            )
        audit_record(
            actor=actor,
            action="agency.member_add",
            target=agency,
            data={"user": user.pk, "role": role, "grant": grant.pk, "new_account": not existing},
        )
    return grant


def member_revoke(*, actor: AbstractBaseUser, agency: Agency, grant_id: int) -> None:
    """End a member's role in the agency (the grant stays as history). The agency
    keeps at least one admin (LastAdmin)."""
    with transaction.atomic():
        grant = (
            agency_grants(agency)
            .select_for_update()
            .filter(pk=grant_id, revoked_at__isnull=True)
            .first()
        )
        if grant is None:
            raise PermissionDenied
        if not may_grant(actor, role=Role(grant.role), organization=agency):
            raise PermissionDenied
        if grant.role == Role.AGENCY_ADMIN:
            admins = list(
                agency_grants(agency)
                .select_for_update()
                .filter(role=Role.AGENCY_ADMIN, revoked_at__isnull=True)
                .values_list("pk", flat=True)
            )
            if admins == [grant.pk]:
                raise LastAdmin
        role_revoke(actor=actor, grant=grant)
        audit_record(
            actor=actor,
            action="agency.member_revoke",
            target=agency,
            data={"user": grant.user_id, "role": grant.role, "grant": grant.pk},
        )
