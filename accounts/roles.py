"""Roles of the personas. The accounts issue grows this into the full permission
model; the header already shows the role it names."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils.translation import gettext as _

from .models import User, UserKind


def role_label(user: AbstractBaseUser | AnonymousUser) -> str:
    if not isinstance(user, User):
        return ""
    if user.is_superuser:
        return _("مدیر سامانه")
    return str(UserKind(user.kind).label)
