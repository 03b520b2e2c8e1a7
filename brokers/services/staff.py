"""An office's manager adds and revokes clerks, by national code."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Role, RoleGrant, User
from accounts.roles import clerk_office, may_grant
from accounts.services import role_grant, role_revoke, staff_account_create
from payam.inquiry import BirthDateMismatch, IdentityNotFound, get_backend
from payam.phone import normalize_mobile
from sms.constants import SYSTEM_SENDER, SmsKind
from sms.services import sms_queue

from ..exceptions import AlreadyStaff, MobileNotPersons, StaffNotFound, StaffOfOtherOffice
from ..models import BrokerOffice
from .common import Actor, count_lookup


def office_clerk_add(
    *,
    actor: Actor,
    office: BrokerOffice,
    national_code: str,
    birth_date: date,
    mobile: str,
) -> User:
    """Make the person with this national code a clerk of `office`. The civil
    registry confirms who they are and Shahkar that the mobile is theirs. A
    person who has an account (username = national code) gets the role on it,
    told by SMS; anyone else gets a new account whose username is the national
    code and whose password goes by SMS (changed at first sign-in; two-factor
    is set up then, as accounts.roles.MFA_ROLES requires)."""
    if not may_grant(actor, role=Role.BROKER_CLERK, organization=office) or not isinstance(
        actor, User
    ):
        raise PermissionDenied
    mobile = normalize_mobile(mobile)
    count_lookup(actor=actor, office=office, national_code=national_code, purpose="staff")
    inquiry = get_backend()
    try:
        identity = inquiry.civil_identity(national_code=national_code, birth_date=birth_date)
    except (IdentityNotFound, BirthDateMismatch) as exc:
        raise StaffNotFound from exc
    if not identity.is_alive:
        raise StaffNotFound
    if not inquiry.shahkar_matches(national_code=national_code, mobile=mobile):
        raise MobileNotPersons
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=national_code).first()
        if user is None:
            return staff_account_create(
                actor=actor,
                username=national_code,
                first_name=identity.first_name,
                last_name=identity.last_name,
                mobile=mobile,
                role=Role.BROKER_CLERK,
                organization=office,
            )
        current = clerk_office(user)
        if current == office:
            raise AlreadyStaff
        if current is not None:
            raise StaffOfOtherOffice
        role_grant(actor=actor, user=user, role=Role.BROKER_CLERK, organization=office)
        sms_queue(
            sender=SYSTEM_SENDER,
            to=mobile,
            body=_(
                "پیام ایران\nشما کارمند %(office)s شدید.\nبا نام کاربری %(username)s وارد شوید؛ "
                "ورود دومرحله‌ای لازم است."
            )
            % {"office": office.name, "username": user.username},
            kind=SmsKind.NOTIFICATION,
            idempotency_key=f"broker-clerk:{office.pk}:{user.pk}:{RoleGrant.objects.filter(user=user).count()}",
        )
    return user


def office_clerk_revoke(*, actor: Actor, office: BrokerOffice, grant: RoleGrant) -> None:
    """End a clerk's work for the office (the grant stays as history)."""
    if (
        not isinstance(actor, User)
        or grant.role != Role.BROKER_CLERK
        or grant.organization != office
    ):
        raise PermissionDenied
    role_revoke(actor=actor, grant=grant)
