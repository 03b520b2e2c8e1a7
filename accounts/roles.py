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


AGENCY_ROLES = frozenset({Role.AGENCY_ADMIN, Role.AGENCY_SENDER, Role.AGENCY_READER})


def is_agency_member(user: AnyUser) -> bool:
    """An agency's admin, sender or reader."""
    return bool(roles_of(user) & AGENCY_ROLES)


def is_agency_sender(user: AnyUser) -> bool:
    """May compose and send for the agency: its admins and senders."""
    return bool(roles_of(user) & {Role.AGENCY_ADMIN, Role.AGENCY_SENDER})


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
    """The agency this admin, sender or reader works for, or None."""
    return _organization(user, set(AGENCY_ROLES))


# Who may hand out a role besides a superuser: the roles that may grant it. An ITO
# expert grants without an organization of their own; every other granter only
# within their own organization.
_GRANTERS: dict[Role, frozenset[Role]] = {
    # an expert approves an agency and names its admin; an admin names more admins
    Role.AGENCY_ADMIN: frozenset({Role.ITO_EXPERT, Role.AGENCY_ADMIN}),
    Role.AGENCY_SENDER: frozenset({Role.AGENCY_ADMIN}),  # the agency's admin adds members
    Role.AGENCY_READER: frozenset({Role.AGENCY_ADMIN}),
    Role.BROKER_CLERK: frozenset({Role.BROKER_MANAGER}),  # an office manager adds clerks
}


def may_grant(actor: AnyUser, *, role: Role, organization: models.Model | None) -> bool:
    """Superusers grant any role; an ITO expert names agency admins; an agency admin
    adds admins, senders and readers to their own agency; an office manager adds
    clerks to their office."""
    if not isinstance(actor, User) or not actor.is_active:
        return False
    if actor.is_superuser:
        return True
    for granter in _GRANTERS.get(role, frozenset()):
        if not has_role(actor, granter):
            continue
        if granter == Role.ITO_EXPERT:
            return True
        own = _organization(actor, {granter})
        if organization is not None and own == organization:
            return True
    return False


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
