"""Granting and revoking roles."""

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone

from payam.audit import audit_record

from ..models import Role, RoleGrant, User
from ..roles import may_grant

# --- roles -----------------------------------------------------------------------------------


def role_grant(
    *,
    actor: AbstractBaseUser,
    user: User,
    role: Role | str,
    organization: models.Model | None = None,
) -> RoleGrant:
    """Give `user` a role (for `organization`, where the role has one), if
    `actor` may (see accounts.roles.may_grant). Granting a live role again is a no-op."""
    role = Role(role)
    if not may_grant(actor, role=role, organization=organization):
        raise PermissionDenied
    org_type = ContentType.objects.get_for_model(organization) if organization else None
    with transaction.atomic():
        grant, created = RoleGrant.objects.get_or_create(
            user=user,
            role=role,
            organization_type=org_type,
            organization_id=organization.pk if organization else None,
            revoked_at__isnull=True,
            defaults={"granted_by": actor if isinstance(actor, User) else None},
        )
        if created:
            audit_record(
                actor=actor,
                action="account.role_grant",
                target=user,
                data={"role": role, "grant": grant.pk},
            )
    return grant


def role_revoke(*, actor: AbstractBaseUser, grant: RoleGrant) -> None:
    if not may_grant(actor, role=Role(grant.role), organization=grant.organization):
        raise PermissionDenied
    with transaction.atomic():
        updated = RoleGrant.objects.filter(pk=grant.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if updated:
            audit_record(
                actor=actor,
                action="account.role_revoke",
                target=grant.user,
                data={"role": grant.role, "grant": grant.pk},
            )
