"""The permission model of the personas, in one place.

* Citizens and companies are told apart by `User.kind` (natural / legal); they
  need no role and reach only their own inbox.
* Everyone who acts for an organization has a live `RoleGrant`: ITO experts
  (no organization), broker-office managers and clerks (their office), agency
  admins and staff (their agency). The organization is a generic reference, so
  this module never imports the apps that own offices and agencies.
* Staff roles that act on other people's letters or approve agencies, and every
  administrator (`is_superuser`, `is_staff`), need TOTP two-factor before they
  reach their workspace (`requires_mfa`).

Other apps ask these helpers, never the tables, and grant or revoke roles only
through `accounts.services.role_grant` / `role_revoke` (audited)."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models
from django.utils.translation import gettext as _

from .models import Role, RoleGrant, User, UserKind

AnyUser = AbstractBaseUser | AnonymousUser

# Roles whose holders must pass TOTP before they reach their workspace.
MFA_ROLES = frozenset({Role.ITO_EXPERT, Role.BROKER_MANAGER, Role.BROKER_CLERK, Role.AGENCY_ADMIN})


def live_grants(user: AnyUser) -> models.QuerySet[RoleGrant]:
    if not isinstance(user, User) or not user.is_active:
        return RoleGrant.objects.none()
    return RoleGrant.objects.filter(user=user, revoked_at__isnull=True)


def roles_of(user: AnyUser) -> frozenset[str]:
    """The user's live roles, read once per request object."""
    if not isinstance(user, User):
        return frozenset()
    cached: frozenset[str] | None = getattr(user, "_payam_roles", None)
    if cached is None:
        cached = frozenset(live_grants(user).values_list("role", flat=True))
        user._payam_roles = cached  # type: ignore[attr-defined]
    return cached


def has_role(user: AnyUser, role: Role | str) -> bool:
    return str(role) in roles_of(user)


def is_ito_expert(user: AnyUser) -> bool:
    return has_role(user, Role.ITO_EXPERT)


def is_broker_clerk(user: AnyUser) -> bool:
    """A clerk or the manager of a broker office (managers may do what clerks do)."""
    return bool(roles_of(user) & {Role.BROKER_CLERK, Role.BROKER_MANAGER})


def is_agency_admin(user: AnyUser) -> bool:
    return has_role(user, Role.AGENCY_ADMIN)


def is_agency_member(user: AnyUser) -> bool:
    return bool(roles_of(user) & {Role.AGENCY_ADMIN, Role.AGENCY_STAFF})


def is_citizen(user: AnyUser) -> bool:
    """A natural or legal person: the owner of an official inbox."""
    return isinstance(user, User) and user.kind in (UserKind.NATURAL, UserKind.LEGAL)


def _organization(user: AnyUser, roles: set[Role]) -> models.Model | None:
    grant = (
        live_grants(user)
        .filter(role__in=roles, organization_id__isnull=False)
        .select_related("organization_type")
        .order_by("granted_at")
        .first()
    )
    return grant.organization if grant is not None else None


def clerk_office(user: AnyUser) -> models.Model | None:
    """The broker office this clerk (or manager) works for, or None."""
    return _organization(user, {Role.BROKER_CLERK, Role.BROKER_MANAGER})


def user_agency(user: AnyUser) -> models.Model | None:
    """The agency this admin or staff member works for, or None."""
    return _organization(user, {Role.AGENCY_ADMIN, Role.AGENCY_STAFF})


# Who may hand out a role besides a superuser: (actor's role, role granted, same organization).
_GRANTERS: dict[Role, Role] = {
    Role.AGENCY_ADMIN: Role.ITO_EXPERT,  # an expert approves an agency and names its admin
    Role.AGENCY_STAFF: Role.AGENCY_ADMIN,  # the agency's admin adds its staff
    Role.BROKER_CLERK: Role.BROKER_MANAGER,  # an office manager adds clerks
}


def may_grant(actor: AnyUser, *, role: Role, organization: models.Model | None) -> bool:
    """Superusers grant any role; an ITO expert names agency admins; an agency admin
    adds staff to their own agency; an office manager adds clerks to their office."""
    if not isinstance(actor, User) or not actor.is_active:
        return False
    if actor.is_superuser:
        return True
    granter = _GRANTERS.get(role)
    if granter is None or not has_role(actor, granter):
        return False
    if granter == Role.ITO_EXPERT:
        return True
    own = _organization(actor, {granter})
    return organization is not None and own == organization


def requires_mfa(user: AnyUser) -> bool:
    """Whether `user` must pass TOTP before reaching any workspace: administrators
    (`is_superuser`), everyone who may open the admin (`is_staff`) and the staff
    roles in MFA_ROLES."""
    if isinstance(user, User) and (user.is_superuser or user.is_staff):
        return True
    return bool(roles_of(user) & MFA_ROLES)


def role_label(user: AnyUser) -> str:
    """What the header shows next to the name."""
    if not isinstance(user, User):
        return ""
    if user.is_superuser:
        return _("مدیر سامانه")
    roles = roles_of(user)
    for role in Role:
        if role in roles:
            return str(role.label)
    return str(UserKind(user.kind).label)
