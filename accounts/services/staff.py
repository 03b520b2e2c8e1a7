"""Staff accounts made by an administrator."""

import secrets

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.translation import gettext as _

from payam.audit import audit_record
from payam.phone import normalize_mobile
from payam.text import normalize_name
from sms.constants import SYSTEM_SENDER, SmsKind
from sms.services import sms_queue

from ..exceptions import (
    UsernameTaken,
)
from ..models import Role, User, UserKind
from ..roles import may_grant
from .roles import role_grant

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
        sms_queue(
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
